"""Digital literacy: courses of short lessons for people taking part for the first time.

``models`` holds courses, lessons, steps, quizzes, learners' progress, certificates and
facilitators' classes (see docs/literacy.md). The learner's side: ``services`` (reading
courses), ``progress`` (steps done, quiz answers, certificates), ``routes`` (the pages),
``forms``, ``digcomp`` (the competence framework) and ``seed`` (the curriculum loader).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.literacy import (
        models,  # noqa: F401  (the tables, for the metadata)
        privacy,  # noqa: F401  (its parts: portal.core.privacy)
    )

    init_learn(app)
    from portal.literacy.manage_routes import init_manage

    init_manage(app)  # part (3): course authoring and facilitators' classes
    from portal.literacy.practice import init_practice

    init_practice(app)  # part (2): the practice forms


def init_learn(app: Flask) -> None:
    """The learner's pages, the home card and the search kind (part 1)."""
    from portal.core.home import HomeCard, register_home_card
    from portal.literacy import services  # noqa: F401  (the search kind and its source)
    from portal.literacy.routes import bp

    app.register_blueprint(bp, url_prefix="/<lc:locale>")
    register_home_card(app, HomeCard("learn", "literacy/_home_card.html", order=35))
