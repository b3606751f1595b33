"""Following, on the halls' blueprint: the follow block on a hall's, a debate's and a
proposal's page (plain form posts that htmx swaps in place, announced in the block's status),
and "What you follow" under the account. Only signed-in people see or use them: anonymous
readers get the cached pages, with a link to log in and no form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.errors import Invalid
from portal.core.forms import EmptyForm, int_arg
from portal.core.views import apply_errors, flash_errors
from portal.deliberation import follows
from portal.deliberation.follow_forms import FollowForm
from portal.deliberation.routes import bp
from portal.extensions import db, htmx

KINDS = "any(hall, debate, proposal)"


def init_app(app) -> None:
    follows.register_event_labels()
    app.jinja_env.globals["follow_block"] = follow_block


def _form(follow=None, formdata=None, prefix: str = "follow") -> FollowForm:
    """A follow form: the posted data, or the follow's frequency (the account's choice when
    there is none yet)."""
    if formdata is not None:
        return FollowForm(prefix=prefix)
    frequency = follow.frequency if follow is not None else current_user.notify_mode
    return FollowForm(formdata=None, prefix=prefix, frequency=frequency)


def follow_block(kind: str, target_id: int, form: FollowForm | None = None, known=None) -> dict:
    """What the follow block shows a signed-in reader (a template global); ``known``: the
    reader's follow as ``(follow or None,)`` where the page read it already."""
    mine = known[0] if known else follows.following(db.session, current_user, kind, target_id)
    return {"follow": mine, "form": form or _form(mine), "unfollow_form": EmptyForm(formdata=None)}


def _block(kind: str, target_id: int, announce=None, form=None, status: int = 200):
    return render_template("deliberation/_follow_block.html", follow_kind=kind, follow_id=target_id,
                           announce=announce, block=follow_block(kind, target_id, form)), status


def _back(target) -> str:
    return url_for(target.endpoint, **target.args, _anchor="follow")


@bp.post(f"/follow/<{KINDS}:kind>/<int:target_id>")
@login_required
def follow(kind: str, target_id: int):
    target = follows.target(db.session, kind, target_id, current_user)
    form = _form(formdata=request.form)
    if form.validate_on_submit():
        try:
            follows.follow(db.session, current_user, kind, target_id, form.frequency.data)
        except Invalid as exc:
            db.session.rollback()
            if htmx:
                apply_errors(form, exc)
                return _block(kind, target_id, form=form)
            flash_errors(exc)
            return redirect(_back(target), code=303)
        done = _l("You follow it. How often you hear about it is saved.")
        if htmx:
            return _block(kind, target_id, announce=done)
        flash(done, "success")
        return redirect(_back(target), code=303)
    if htmx:
        return _block(kind, target_id, form=form)
    for message in form.frequency.errors:
        flash(message, "error")
    return redirect(_back(target), code=303)


@bp.post(f"/follow/<{KINDS}:kind>/<int:target_id>/unfollow")
@login_required
def unfollow(kind: str, target_id: int):
    target = follows.target(db.session, kind, target_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    follows.unfollow(db.session, current_user, kind, target_id)
    done = _l("You no longer follow it.")
    if htmx:
        return _block(kind, target_id, announce=done)
    flash(done, "success")
    return redirect(_back(target), code=303)


# --- What you follow ------------------------------------------------------------------------------

def _following_page(status: int = 200, failed=None, notice=None):
    """``failed``: (follow id, form with its errors) to show beside that row's field."""
    page = follows.follows_of(db.session, current_user, before=int_arg(request.args.get("before")),
                              after=int_arg(request.args.get("after")))
    rows = []
    for row in page.rows:
        if failed is not None and failed[0] == row.follow.id:
            form = failed[1]
        else:
            form = _form(row.follow, prefix=f"follow-{row.follow.id}")
        rows.append((row, form))
    return render_template("deliberation/following.html", page=page, rows=rows,
                           kind_labels=follows.KIND_LABELS, unfollow_form=EmptyForm(formdata=None),
                           failed=failed, notice=notice), status


@bp.get("/account/following")
@login_required
def following():
    return _following_page()


@bp.post("/account/following/<int:follow_id>")
@login_required
def set_frequency(follow_id: int):
    form = _form(formdata=request.form, prefix=f"follow-{follow_id}")
    if not form.validate_on_submit():
        follows.owned(db.session, current_user, follow_id)  # someone else's: 404
        return _following_page(422, failed=(follow_id, form))
    try:
        follows.set_frequency(db.session, current_user, follow_id, form.frequency.data)
    except Invalid as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _following_page(422, failed=(follow_id, form))
    flash(_l("How often you hear about it is saved."), "success")
    return redirect(url_for("deliberation.following", _anchor=f"follow-{follow_id}"), code=303)


@bp.post("/account/following/<int:follow_id>/unfollow")
@login_required
def remove_follow(follow_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    follows.remove(db.session, current_user, follow_id)
    flash(_l("You no longer follow it."), "success")
    return redirect(url_for("deliberation.following"), code=303)
