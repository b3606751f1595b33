"""Helpers for thin routes: map service errors onto forms, check redirect targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm

from portal.core.errors import Invalid


def apply_errors(form: FlaskForm, exc: Invalid) -> None:
    """Put a service's field errors beside the fields; the rest above the form."""
    for name, messages in exc.errors.items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = list(field.errors) + [str(m) for m in messages]
        else:
            form.form_errors.extend(str(m) for m in messages)


def flash_errors(exc: Invalid) -> None:
    """A service's refusal of a button (no field to show it beside): each message flashed,
    shown above the page the button's route redirects to."""
    from flask import flash

    for messages in exc.errors.values():
        for message in messages:
            flash(message, "error")


def is_safe_next(target: str) -> bool:
    """Only same-site paths may be redirect targets.

    Backslashes and control characters are refused: browsers read ``/\\host`` as
    ``//host``, and Werkzeug drops a tab, so ``/<TAB>/host`` would become ``//host``.
    """
    if not target or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


# Session keys that survive logging in (a half-written request's draft, for instance).
# Everything else is dropped so nobody can fix a session for someone else.
KEEP_ON_LOGIN: set[str] = set()


def fresh_session() -> None:
    from flask import session

    kept = {key: session[key] for key in KEEP_ON_LOGIN if key in session}
    session.clear()
    session.update(kept)


# --- one shape for "a form that creates or edits one thing" --------------------------------

def form_view(
    form_class: type[FlaskForm],
    template: str,
    *,
    save: Callable[[FlaskForm], Any],
    saved: Callable[[Any], str],
    next_url: Callable[[Any], str],
    data: dict | None = None,
    setup: Callable[[FlaskForm], None] | None = None,
    context: dict | None = None,
):
    """The whole of a create-or-edit page, GET and POST, without JavaScript.

    - the form is bound to ``data`` (the thing's current values) on a GET, to the posted form
      otherwise; ``setup(form)`` then fills choices and GET defaults;
    - a valid POST calls ``save(form)``, which calls the service and returns the thing saved;
      an ``Invalid`` from it rolls back and puts its messages beside the fields (the rest
      above the form), keeping what was typed;
    - on success it flashes ``saved(thing)`` and redirects (303) to ``next_url(thing)``;
    - otherwise it renders ``template`` with ``form`` and ``context``: 200, or 422 with errors.

    The same template serves create and edit; ``context`` tells it which (the thing, or None).
    """
    from flask import flash, redirect, render_template, request

    from portal.extensions import db

    form = form_class(data=data) if data is not None and request.method == "GET" else form_class()
    if setup is not None:
        setup(form)
    if form.validate_on_submit():
        try:
            thing = save(form)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(saved(thing), "success")
            return redirect(next_url(thing), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **(context or {})), status
