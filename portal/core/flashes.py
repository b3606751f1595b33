"""Flash messages are translated when they are shown, in the language of that page.

A message flashed as ``flash(_l("You are logged in."))`` is kept in the session as its
message id and variables, not as text; the page that shows it translates it in its own
locale. Logging in on the Spanish page and landing on the Arabic home page (the person's
saved language) shows the message in Arabic. This works for every flash of the portal
(Flask-Login's "log in to see this page" too): flash ``_l``/``lazy_ngettext`` strings, not
``_()`` ones, which are already text in the language of the request that made them.

Variables are kept as plain values (a translatable name becomes its text); when shown, the
message is escaped like any other text, whatever a variable holds.
"""

from __future__ import annotations

from flask import Flask
from flask.json.tag import JSONTag
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext, ngettext, npgettext, pgettext
from flask_babel.speaklater import LazyString
from markupsafe import escape

FUNCTIONS = {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext,
             "npgettext": npgettext}


class LazyMessage(LazyString):
    """A lazy translation read back from the session: escaped when rendered (a variable
    may be something a person typed)."""

    def __html__(self):
        return str(escape(str(self)))


def _function_name(value: LazyString) -> str | None:
    name = getattr(value._func, "__name__", None)
    return name if name in FUNCTIONS else None


def _plain(value):
    if isinstance(value, LazyString) and _function_name(value):
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


class TagLazyString(JSONTag):
    """Session serialisation of Flask-Babel's lazy strings (``_l``, ``lazy_ngettext``)."""

    __slots__ = ()
    key = " portal_l"

    def check(self, value) -> bool:
        return isinstance(value, LazyString) and _function_name(value) is not None

    def to_json(self, value):
        return {
            "f": _function_name(value),
            "a": [self.serializer.tag(_plain(a)) for a in value._args],
            "k": {k: self.serializer.tag(_plain(v)) for k, v in value._kwargs.items()},
        }

    def to_python(self, value):
        return LazyMessage(FUNCTIONS[value["f"]], *value["a"], **value["k"])


def init_app(app: Flask) -> None:
    interface = app.session_interface
    serializer = getattr(interface, "serializer", SecureCookieSessionInterface.serializer)
    if TagLazyString.key not in serializer.tags:
        serializer.register(TagLazyString, index=0)
