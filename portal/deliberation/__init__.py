"""Deliberation: halls where a community debates, proposes, meets and votes.

The rooms: ``models`` (halls, members, the timeline), ``services`` (who may see, join, host
and change a hall), ``forms``, ``routes`` (the pages) and ``seed`` (the demo halls); each tool
in its own files: ``debates``, ``proposals`` (with ``proposal_comments``; ``comments`` is what
threads share), ``meetings``, ``polls``; ``follows`` and ``report_kinds`` serve them all, and
``limits`` is the one rule for how fast a new account posts (docs/deliberation.md).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.home import HomeCard, register_home_card
    from portal.deliberation import (
        debate_routes,  # noqa: F401  (debates: routes on bp, section)
        follow_routes,  # following: routes on bp, the event labels as message keys
        meeting_routes,  # meetings: routes on bp, section, reminder task
        open_data,  # noqa: F401  (its datasets: portal.core.datasets)
        poll_routes,  # votes: its routes on bp, section
        poll_tasks,  # noqa: F401  (votes: the clock's Celery task)
        privacy,  # noqa: F401  (its parts of a resident's data: portal.core.privacy)
        proposal_comment_routes,  # noqa: F401  (proposal comments: routes on bp)
        proposal_routes,  # proposals: its routes on bp, section, queue
        report_kinds,  # reports: comments, debates and proposals are reportable
    )
    from portal.deliberation.routes import bp

    proposal_routes.init_app(app)
    poll_routes.init_app(app)
    follow_routes.init_app(app)
    meeting_routes.init_app(app)
    report_kinds.register()

    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    register_home_card(app, HomeCard("halls", "deliberation/_home_card.html", order=15))
