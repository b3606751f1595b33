"""Deliberation: halls where a community debates, proposes, meets and votes.

The rooms: ``models`` (halls, members, the timeline), ``services`` (who may see, join, host
and change a hall), ``forms``, ``routes`` (the pages) and ``seed`` (the demo halls).
Debates, proposals, meetings and votes come next (see the open issue).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.deliberation import (
        debate_routes,  # noqa: F401  (debates: routes on bp, section)
        proposal_comment_routes,  # noqa: F401  (proposal comments: routes on bp)
        proposal_routes,  # proposals: its routes on bp, section, queue
    )
    from portal.deliberation.routes import bp

    proposal_routes.init_app(app)

    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    register_home_card(app, HomeCard("halls", "deliberation/_home_card.html", order=15))
