"""URLs: the bounded ``int`` converter every blueprint uses, strings without control
characters, ``slug``, and absolute links.

``int`` is bounded: an identifier in a path past what an ``integer`` column holds is not a
row, so the URL does not match (404) instead of reaching the database, where PostgreSQL
would fail the statement. A route that needs wider numbers says so: ``<int(max=...):n>``.

Absolute links are always on the portal's configured address, never on the request's Host.
A link in a mail, a feed or an API document is read elsewhere and later, so it must point
at the portal itself. ``url_for(..., _external=True)`` takes the host from the request's
``Host`` header, which anybody can set (a reset link sent to ``evil.example`` hands over the
token). ``absolute_url`` builds the path as ``url_for`` does (the locale and other URL
defaults included) and puts it under ``PORTAL_BASE_URL``.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import BaseConverter, IntegerConverter, UnicodeConverter, ValidationError

from portal.core.forms import MAX_INT


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=0, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > len(str(self.max if self.max is not None else 2**63)) + 1:
            raise ValidationError()  # no need to read 5,000 digits to know (Python refuses)
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """The default ``string`` converter without control characters: a NUL in a path never
    reaches a query (PostgreSQL refuses NUL in text, which would be a 500)."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


class SlugConverter(BaseConverter):
    """A web address part chosen by people (a hall's ``stone-bridge``): lowercase letters,
    digits and hyphens, at most 64."""

    regex = "[a-z0-9][a-z0-9-]{0,63}"


def init_converters(app) -> None:
    """Before any blueprint is registered: rules are compiled with the converters of the day."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.url_map.converters["slug"] = SlugConverter
    # Any text, control characters too, for a route that refuses them itself with a clear
    # error in its own format (Open311's path parameters answer 400 in the spec's format).
    app.url_map.converters["raw"] = UnicodeConverter


def base_url() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL on ``PORTAL_BASE_URL``."""
    values.pop("_external", None)
    path = url_for(endpoint, **values)
    if has_request_context() and request.script_root and path.startswith(request.script_root):
        path = path[len(request.script_root):]  # the base URL carries its own path prefix
    return base_url() + path
