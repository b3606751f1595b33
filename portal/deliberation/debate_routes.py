"""The debates' pages: a debate with its thread, opening, commenting, endorsing, closing.

Every action is a plain form POST that redirects (303) back to the debate; with htmx the
comment form swaps the discussion in place (and a polite live region says the comment is
published) and an endorse button swaps itself. Anonymous readers get the cached page, with no
form in it."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.cache import cached_page
from portal.core.errors import Invalid
from portal.core.forms import EmptyForm, int_arg
from portal.core.views import apply_errors, flash_errors, form_view
from portal.deliberation import debates, services
from portal.deliberation.debate_forms import CloseForm, CommentForm, DebateForm
from portal.deliberation.routes import bp
from portal.extensions import db, htmx


def _debate_url(hall, debate, anchor: str | None = None, **args) -> str:
    return url_for("deliberation.debate", slug=hall.slug, debate_id=debate.id,
                   _anchor=anchor, **args)


def _hall_with_debates(slug: str):
    hall = services.get_hall(db.session, slug)
    if not hall.uses("debates"):
        abort(404)
    return hall


def _context(hall, debate, comment_form=None, close_form=None, status_message=None) -> dict:
    """What the debate page and its htmx fragment show; forms only for the signed in."""
    user = current_user
    signed_in = user.is_authenticated
    mine = services.membership(db.session, hall, user)
    taking_part = debates.can_take_part(db.session, hall, user, mine)
    hosting = debates.can_host(db.session, hall, user)
    replying_to = None
    open_here = debate.is_open and not debate.hidden  # a hidden debate takes no comments
    if taking_part and open_here and comment_form is None:
        comment_form = CommentForm(formdata=None)  # empty, also after a published comment
        reply = int_arg(request.args.get("reply_to"))
        if reply is not None:
            comment_form.parent_id.data = str(reply)
    nodes = debates.thread(db.session, debate, before=int_arg(request.args.get("before")),
                           after=int_arg(request.args.get("after")))
    if comment_form is not None and comment_form.parent():
        wanted = debates.get_comment_or_none(db.session, debate, comment_form.parent())
        replying_to = wanted
    return {
        "hall": hall, "debate": debate, "mine": mine, "thread": nodes,
        "balance": debates.balance(debate), "stance_labels": debates.STANCE_LABELS,
        "endorsed": debates.endorsed_by(db.session, debate, user),
        "taking_part": taking_part, "hosting": hosting, "replying_to": replying_to,
        "comment_form": comment_form if taking_part and open_here else None,
        "close_form": (close_form or CloseForm(formdata=None)) if hosting and debate.is_open else None,
        "action_form": EmptyForm() if signed_in else None,
        "status_message": status_message, "max_depth": debates.DEBATE_MAX_DEPTH,
    }


def _page(hall, debate, status: int = 200, **kwargs):
    return render_template("deliberation/debate.html", **_context(hall, debate, **kwargs)), status


@bp.get("/halls/<slug:slug>/debates/<int:debate_id>")
@cached_page("deliberation", "responsibility")
def debate(slug: str, debate_id: int):
    hall = _hall_with_debates(slug)
    return _page(hall, debates.get_debate(db.session, hall, debate_id))


@bp.get("/halls/<slug:slug>/debates", endpoint="debates")
@cached_page("deliberation", "responsibility")
def debates_list(slug: str):
    hall = _hall_with_debates(slug)
    page = debates.debate_page(db.session, hall, before=int_arg(request.args.get("before")),
                               after=int_arg(request.args.get("after")))
    return render_template("deliberation/debates.html", hall=hall, page=page, balance=debates.balance,
                           stance_labels=debates.STANCE_LABELS)


@bp.route("/halls/<slug:slug>/debates/new", methods=["GET", "POST"])
@login_required
def new_debate(slug: str):
    hall = _hall_with_debates(slug)
    if not debates.can_host(db.session, hall, current_user):
        abort(403)

    def setup(form):
        if request.method == "GET":
            form.source_locale.data = g.get("locale") or "en"

    return form_view(
        DebateForm, "deliberation/debate_form.html", setup=setup,
        save=lambda form: debates.open_debate(
            db.session, current_user, hall, form.title.data, form.description.data,
            form.source_locale.data),
        saved=lambda _debate: _l("The debate is open."),
        next_url=lambda item: _debate_url(hall, item), context={"hall": hall})


def _loaded(slug: str, debate_id: int):
    hall = _hall_with_debates(slug)
    return hall, debates.get_debate(db.session, hall, debate_id)


def _fragment(hall, debate, status: int = 200, **kwargs):
    return render_template("deliberation/_debate_discussion.html",
                           **_context(hall, debate, **kwargs)), status


def _refused(hall, debate, exc: Invalid):
    """A refusal that is not about one field: said above the form, back on the debate."""
    flash_errors(exc)
    if htmx:  # not a fragment to swap: htmx loads the debate, with the message
        return "", 204, {"HX-Redirect": _debate_url(hall, debate)}
    return redirect(_debate_url(hall, debate), code=303)


@bp.post("/halls/<slug:slug>/debates/<int:debate_id>/comments")
@login_required
def comment(slug: str, debate_id: int):
    hall, debate = _loaded(slug, debate_id)
    if not debates.can_take_part(db.session, hall, current_user):
        abort(403)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            item = debates.comment(db.session, current_user, hall, debate, form.body.data,
                                   form.stance.data, form.parent(), g.get("locale") or "en")
        except Invalid as exc:
            db.session.rollback()
            if "" in exc.errors:
                return _refused(hall, debate, exc)
            apply_errors(form, exc)
        else:
            message = _l("Your comment is published.")
            if htmx:
                return _fragment(hall, debate, status_message=message)
            flash(message, "success")
            return redirect(_debate_url(hall, debate, f"comment-{item.id}",
                                        **debates.page_of(db.session, debate, item)), code=303)
    # the reply's target is a hidden field: its error is said above the form
    form.form_errors.extend(form.parent_id.errors)
    form.parent_id.errors = []
    # htmx swaps 2xx answers only: the fragment carries the errors beside the fields
    if htmx:
        return _fragment(hall, debate, comment_form=form)
    return _page(hall, debate, status=422, comment_form=form)


@bp.post("/halls/<slug:slug>/debates/<int:debate_id>/comments/<int:comment_id>/endorse")
@login_required
def endorse(slug: str, debate_id: int, comment_id: int):
    hall, debate = _loaded(slug, debate_id)
    if not debates.can_take_part(db.session, hall, current_user):
        abort(403)
    item = debates.get_comment(db.session, debate, comment_id)
    if EmptyForm().validate_on_submit():
        try:
            endorsed = debates.toggle_endorsement(db.session, current_user, hall, debate, item)
        except Invalid as exc:
            db.session.rollback()
            return _refused(hall, debate, exc)
        if htmx:
            return render_template(
                "deliberation/_debate_endorse.html", hall=hall, debate=debate, comment=item,
                endorsed={item.id} if endorsed else set(), action_form=EmptyForm(),
                taking_part=True, announce=True)
    return redirect(_debate_url(hall, debate, f"comment-{item.id}",
                                **debates.page_of(db.session, debate, item)), code=303)


@bp.post("/halls/<slug:slug>/debates/<int:debate_id>/close")
@login_required
def close(slug: str, debate_id: int):
    hall, debate = _loaded(slug, debate_id)
    if not debates.can_host(db.session, hall, current_user):
        abort(403)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            debates.close_debate(db.session, current_user, hall, debate, form.conclusion.data,
                                 g.get("locale") or "en")
        except Invalid as exc:
            db.session.rollback()
            if "" in exc.errors:
                return _refused(hall, debate, exc)
            apply_errors(form, exc)
        else:
            flash(_l("The debate is closed; its conclusion is published."), "success")
            return redirect(_debate_url(hall, debate), code=303)
    return _page(hall, debate, status=422, close_form=form)
