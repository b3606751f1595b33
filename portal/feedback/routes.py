"""Residents' and the public's pages of the request tracker.

The blueprint is shared by two view modules: ``views_submit`` (raising a request) and
``views_public`` (the public list and pages, and what residents do with their requests).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from portal.feedback import views_metrics, views_public, views_submit  # noqa: E402, F401  (they add the routes)
