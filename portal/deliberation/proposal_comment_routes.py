"""A proposal's discussion on its page: the thread (a page of top-level comments at a time)
and, for members, the comment form. Commenting is a plain form POST that redirects (303) to
the comment; with htmx the form swaps the discussion in place and the live region says the
comment is published. Anonymous readers get the cached proposal page, with no form in it."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.core.cache import cached_fragment
from portal.core.errors import Invalid, NotFound
from portal.core.forms import int_arg
from portal.core.views import apply_errors, flash_errors
from portal.deliberation import comments, proposals
from portal.deliberation import proposal_comments as svc
from portal.deliberation.comment_forms import CommentForm
from portal.deliberation.routes import bp
from portal.extensions import db, htmx

PREFIX = "comment"  # the page has other forms with a "body": the comment's is "comment-body"


def _url(proposal, anchor: str | None = None, **args) -> str:
    return url_for("deliberation.proposal", proposal_id=proposal.id, _anchor=anchor, **args)


def context(proposal, comment_form=None, status_message=None, mine=None, blocked=None) -> dict:
    """What the proposal's discussion shows (the page and its htmx fragment); ``mine``,
    ``blocked``: the reader's hall membership and posting block where the page read them."""
    taking_part = svc.can_comment(db.session, proposal, current_user, mine, blocked)
    if taking_part and comment_form is None:
        comment_form = CommentForm(formdata=None, prefix=PREFIX)  # empty, also after a comment
        reply = int_arg(request.args.get("reply_to"))
        if reply is not None:
            comment_form.parent_id.data = str(reply)
    replying_to = None
    if taking_part and comment_form.parent():
        try:
            replying_to = svc.get_comment(db.session, proposal, comment_form.parent())
        except NotFound:  # the form says so when posted
            replying_to = None
    before, after = int_arg(request.args.get("before")), int_arg(request.args.get("after"))
    args = comments.cursor_args(before, after)

    def render():
        return Markup(render_template(  # noqa: S704 (an autoescaped template's output)
            "deliberation/_proposal_thread.html", proposal=proposal, with_replies=taking_part,
            signed_in=current_user.is_authenticated,
            thread=svc.thread(db.session, proposal, before=before, after=after)))

    key = (f"proposal-thread:{proposal.id}:{sorted(args.items())}:{g.get('locale')}:"
           f"{get_timezone()}:{taking_part}:{current_user.is_authenticated}")
    return {
        "thread_html": cached_fragment(("deliberation",), key, render), "thread_args": args,
        "comment_form": comment_form if taking_part else None, "replying_to": replying_to,
        "comments_open": svc.open_for_comments(proposal), "status_message": status_message,
    }


def _fragment(proposal, **kwargs):
    return render_template("deliberation/_proposal_discussion.html", proposal=proposal,
                           hall=proposal.hall, **context(proposal, **kwargs))


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def comment_proposal(proposal_id: int):
    from portal.deliberation.proposal_routes import _page

    proposal = proposals.get_proposal(db.session, proposal_id, current_user)
    if not svc.can_comment(db.session, proposal, current_user):
        abort(403)
    form = CommentForm(prefix=PREFIX)
    if form.validate_on_submit():
        try:
            item = svc.comment(db.session, current_user, proposal, form.body.data, form.parent(),
                               g.get("locale") or "en")
        except Invalid as exc:
            db.session.rollback()
            if "" in exc.errors:
                flash_errors(exc)
                if htmx:
                    return "", 204, {"HX-Redirect": _url(proposal)}
                return redirect(_url(proposal), code=303)
            apply_errors(form, exc)
        else:
            message = _l("Your comment is published.")
            if htmx:
                return _fragment(proposal, status_message=message)
            flash(message, "success")
            return redirect(_url(proposal, f"comment-{item.id}", **svc.page_of(db.session, proposal, item)),
                            code=303)
    # the reply's target is a hidden field: its error is said above the form
    form.form_errors.extend(form.parent_id.errors)
    form.parent_id.errors = []
    if htmx:  # htmx swaps 2xx answers only: the fragment carries the errors beside the fields
        return _fragment(proposal, comment_form=form)
    return _page(proposal, 422, comment_form=form)
