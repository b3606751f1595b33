"""Digital literacy: courses of short lessons for people taking part for the first time.

``models`` holds courses, lessons, steps, quizzes, learners' progress, certificates and
facilitators' classes (see docs/literacy.md).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.literacy import models  # noqa: F401  (the tables, for the metadata)
    from portal.literacy.practice import init_practice

    init_practice(app)
