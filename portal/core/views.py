"""Helpers for thin routes: map service errors onto forms, check redirect targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm

from portal.core.errors import Forbidden, Invalid, NotFound


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
    context: dict | Callable[[], dict] | None = None,
):
    """The whole of a create-or-edit page, GET and POST, without JavaScript.

    - the form is bound to ``data`` (the thing's current values) on a GET, to the posted form
      otherwise; ``setup(form)`` then fills choices and GET defaults;
    - a valid POST is saved by ``save_form``: ``save(form)`` calls the service and returns the
      thing saved; an ``Invalid`` from it rolls back and puts its messages beside the fields
      (the rest above the form), keeping what was typed;
    - on success it flashes ``saved(thing)`` and redirects (303) to ``next_url(thing)``;
    - otherwise it renders ``template`` with ``form`` and ``context``: 200, or 422 with errors.

    The same template serves create and edit; ``context`` tells it which (the thing, or None).
    A function for ``context`` is called only to render, after an ``Invalid`` was rolled back:
    it reads again what the rollback expired (a relationship that may not load lazily).
    """
    from flask import render_template, request

    form = form_class(data=data) if data is not None and request.method == "GET" else form_class()
    if setup is not None:
        setup(form)
    answer = save_form(form, save, saved=saved, next_url=next_url)
    if answer is not None:
        return answer
    if callable(context):
        context = context()
    return render_template(template, form=form, **(context or {})), error_status(form)


def error_status(form: FlaskForm) -> int:
    """422 for a form shown again with errors, 200 otherwise."""
    return 422 if form.errors or form.form_errors else 200


def save_form(
    form: FlaskForm,
    save: Callable[[FlaskForm], Any],
    *,
    saved: Any,
    next_url: str | Callable[[Any], str],
    htmx_done: Callable[[Any, Any], Any] | None = None,
    refused: Callable[[Invalid], Any] | None = None,
    valid: bool | None = None,
):
    """One way to save a posted form: the answer (a response) when it is saved or refused
    outright, None when the page is to be shown again with the form's errors.

    - a form that does not validate (or a GET) answers None; ``valid`` is the answer of
      ``form.validate_on_submit()`` when the caller needed it first;
    - ``save(form)`` calls the service and returns the thing saved; a ``Forbidden`` from it
      rolls back and answers 403, a ``NotFound`` 404, an ``Invalid`` rolls back and puts its
      messages beside the fields (the rest above the form), keeping what was typed — or, when
      it has a message for no field and ``refused`` is given, answers ``refused(exc)`` (the
      thing can no longer take the form: back to its page with the message flashed);
    - saved: ``saved`` (a message, a function of the thing, or None for no message) is
      flashed and the answer is a redirect (303) to ``next_url`` (a URL or a function of the
      thing); for an htmx request ``htmx_done(thing, message)``, when given, answers instead
      (the fragment that says it, in place of the page).
    """
    from flask import abort, flash, redirect

    from portal.extensions import db, htmx

    if not (form.validate_on_submit() if valid is None else valid):
        return None
    try:
        thing = save(form)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except NotFound:
        db.session.rollback()
        abort(404)
    except Invalid as exc:
        db.session.rollback()
        if refused is not None and "" in exc.errors:
            return refused(exc)
        apply_errors(form, exc)
        return None
    message = saved(thing) if callable(saved) else saved
    if htmx_done is not None and htmx:
        return htmx_done(thing, message)
    if message is not None:
        flash(message, "success")
    return redirect(next_url(thing) if callable(next_url) else next_url, code=303)
