"""Residents' and the public's pages of the request tracker.

The blueprint is shared by four view modules: ``submit`` (raising a request), ``public``
(the public list and pages, and what residents do with their requests), ``public_map``
(the map of requests and its data) and ``metrics``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from portal.feedback.web import (  # noqa: E402, F401  (they add the routes)
    hotspots,
    metrics,
    public,
    public_map,
    submit,
)
