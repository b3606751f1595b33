"""Absolute links: always on the portal's configured address, never on the request's Host.

A link in a mail, a feed or an API document is read elsewhere and later, so it must point
at the portal itself. ``url_for(..., _external=True)`` takes the host from the request's
``Host`` header, which anybody can set (a reset link sent to ``evil.example`` hands over the
token). ``absolute_url`` builds the path as ``url_for`` does (the locale and other URL
defaults included) and puts it under ``PORTAL_BASE_URL``.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def base_url() -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL on ``PORTAL_BASE_URL``."""
    values.pop("_external", None)
    path = url_for(endpoint, **values)
    if has_request_context() and request.script_root and path.startswith(request.script_root):
        path = path[len(request.script_root):]  # the base URL carries its own path prefix
    return base_url() + path
