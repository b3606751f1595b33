"""The starter curriculum (portal/literacy/curriculum.py) as data: every text translatable,
every image a small, safe SVG with alternative text, every practice a real sandbox, every
course ending in a quiz whose questions each have a right answer and an explanation.

``test_every_curriculum_text_is_translated_in_every_locale`` reads the catalogs: it stays red
until the lead has extracted and translated the curriculum's strings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages import pofile
from flask_babel.speaklater import LazyString

from portal.core import i18n
from portal.literacy.curriculum import COURSES
from portal.literacy.models import LEVELS
from portal.literacy.practice import NAMES

ROOT = Path(__file__).resolve().parents[3]
SVG_MAX = 8 * 1024
# DigComp 2.2: five areas, 21 competences.
DIGCOMP = {f"{area}.{n}" for area, count in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4))
           for n in range(1, count + 1)}
SVG_NS = "{http://www.w3.org/2000/svg}"


def steps():
    for course in COURSES:
        for lesson in course["lessons"]:
            for step in lesson["steps"]:
                yield course, lesson, step


def texts():
    """(where, value) for every text of the curriculum."""
    for course in COURSES:
        yield course["slug"] + ".title", course["title"]
        yield course["slug"] + ".summary", course["summary"]
        for lesson in course["lessons"]:
            where = f"{course['slug']}/{lesson['slug']}"
            yield where + ".title", lesson["title"]
            for i, step in enumerate(lesson["steps"], start=1):
                at = f"{where}/{i}"
                for key in ("title", "body", "image_alt", "transcript"):
                    if step.get(key) is not None:
                        yield f"{at}.{key}", step[key]
                for q, question in enumerate(step.get("questions") or [], start=1):
                    yield f"{at}.q{q}.text", question["text"]
                    yield f"{at}.q{q}.explanation", question["explanation"]
                    for c, (choice, _right) in enumerate(question["choices"], start=1):
                        yield f"{at}.q{q}.choice{c}", choice


def msgid(value: LazyString) -> str:
    return value._args[0]


def test_six_courses_with_unique_slugs():
    assert len(COURSES) == 6
    slugs = [c["slug"] for c in COURSES]
    assert len(set(slugs)) == len(slugs)
    for course in COURSES:
        lesson_slugs = [lesson["slug"] for lesson in course["lessons"]]
        assert len(set(lesson_slugs)) == len(lesson_slugs), course["slug"]
        for slug in [course["slug"], *lesson_slugs]:
            assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) and len(slug) <= 80, slug


def test_every_text_is_a_lazy_string_of_plain_text():
    found = list(texts())
    assert len(found) > 200
    for where, value in found:
        assert isinstance(value, LazyString), f"{where} is {type(value).__name__}, not _l()"
        text = msgid(value)
        assert text.strip() and text == text.strip(), where
        assert not re.search(r"<[a-zA-Z/!]", text), f"{where}: no HTML in texts"
        assert len(text) <= 700, f"{where}: a paragraph at most"


def test_courses_have_their_settings():
    for course in COURSES:
        assert course["level"] in LEVELS
        assert 5 <= course["minutes"] <= 60
        assert course["pass_mark"] == 70
        assert course["competences"] and set(course["competences"]) <= DIGCOMP, course["slug"]
        assert 1 <= len(course["lessons"]) <= 2
        for lesson in course["lessons"]:
            assert 3 <= len(lesson["steps"]) <= 6, lesson["slug"]


def test_every_step_is_of_a_known_kind_and_practices_are_real_sandboxes():
    for _course, lesson, step in steps():
        assert step["kind"] in ("text", "practice", "quiz"), lesson["slug"]
        if step["kind"] == "practice":
            assert step["practice"] in NAMES
        else:
            assert "practice" not in step
        assert step.get("audio") is None and step.get("transcript") is None


def test_the_practices_each_course_needs():
    practices = {c["slug"]: {s["practice"] for lesson in c["lessons"] for s in lesson["steps"]
                             if s["kind"] == "practice"} for c in COURSES}
    assert practices["account-and-password"] == set()
    assert "request" in practices["raise-and-follow-a-request"]
    assert "comment" in practices["take-part-in-a-hall"]
    assert "disclosure" in practices["find-published-information"]


def test_each_course_ends_with_a_quiz_that_can_be_passed():
    for course in COURSES:
        quizzes = [s for lesson in course["lessons"] for s in lesson["steps"] if s["kind"] == "quiz"]
        assert len(quizzes) == 1, course["slug"]
        assert course["lessons"][-1]["steps"][-1] is quizzes[0], "the quiz is the last step"
        questions = quizzes[0]["questions"]
        assert 3 <= len(questions) <= 4
        assert any(q["multiple"] for q in questions), f"{course['slug']}: a multiple-choice question"
        for question in questions:
            rights = [right for _text, right in question["choices"]]
            assert len(rights) >= 2 and any(rights) and not all(rights), msgid(question["text"])
            if not question["multiple"]:
                assert rights.count(True) == 1, msgid(question["text"])
            assert msgid(question["explanation"]).strip()


def _images():
    return [step for _c, _l, step in steps() if step.get("image")]


def test_images_exist_are_small_safe_svg_and_have_alt_text():
    images = _images()
    assert len(images) >= 6
    for step in images:
        assert step["image"].startswith("static:literacy/") and step["image"].endswith(".svg")
        path = ROOT / "static" / step["image"].removeprefix("static:")
        assert path.is_file(), path
        assert path.stat().st_size < SVG_MAX, f"{path.name} is {path.stat().st_size} bytes"
        root = ET.parse(path).getroot()  # noqa: S314 (our own files, checked here)
        assert root.tag == SVG_NS + "svg"
        assert root.get("viewBox")
        for element in root.iter():
            name = element.tag.removeprefix(SVG_NS).lower()
            assert name not in ("script", "foreignobject", "iframe", "image", "use"), (path.name, name)
            for attribute, value in element.attrib.items():
                assert not attribute.lower().startswith("on"), (path.name, attribute)
                assert "javascript:" not in value.lower(), (path.name, attribute)
                assert not (attribute.endswith("href") and value), (path.name, "no links")
        assert isinstance(step["image_alt"], LazyString) and msgid(step["image_alt"]).strip()


def test_every_shipped_svg_is_used():
    used = {step["image"].removeprefix("static:literacy/") for step in _images()}
    assert {p.name for p in (ROOT / "static" / "literacy").glob("*.svg")} == used


def test_every_curriculum_text_is_translated_in_every_locale():
    """Red until the lead extracts and translates the curriculum (translations/ is theirs)."""
    wanted = {msgid(value) for _where, value in texts()}
    missing = {}
    for locale in i18n.LOCALES:
        if locale.code == i18n.DEFAULT:
            continue  # the source language: the texts are the msgids
        path = ROOT / "translations" / locale.catalog / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = pofile.read_po(handle)
        absent = []
        for text in sorted(wanted):
            message = catalog.get(text)
            if message is None or message.fuzzy or not message.string or not str(message.string).strip():
                absent.append(text)
        if absent:
            missing[locale.code] = len(absent)
    assert not missing, f"untranslated curriculum texts per locale: {missing}"


@pytest.mark.parametrize("course", COURSES, ids=lambda c: c["slug"])
def test_the_curriculum_names_the_portals_real_labels(course):
    """Spot checks: the buttons and pages a course names are labelled so in the templates."""
    labels = {
        "bigger-text-and-keyboard": ["Larger text", "Skip to main content", "Publish your comment"],
        "account-and-password": ["Create an account", "Create account", "Display name",
                                 "Confirm password", "Confirm your email address"],
        "scams-and-personal-data": ["Show my name publicly with this request",
                                    "Remove my name and contact details"],
        "raise-and-follow-a-request": ["Raise a request", "Search by words",
                                       "Find a request by its tracking code", "Your requests",
                                       "Follow this request", "Tell us whether it is resolved",
                                       "Was the problem resolved?"],
        "take-part-in-a-hall": ["Halls", "Join the hall", "The hall's rules", "Support this proposal",
                                "Take back my support", "Register", "Cast your vote", "See the results"],
        "find-published-information": ["Search the portal", "Who is responsible",
                                       "Information disclosure", "Ask for information",
                                       "Find the department"],
    }[course["slug"]]
    sources = "\n".join(p.read_text(encoding="utf-8") for folder in ("templates", "portal")
                        for p in (ROOT / folder).rglob("*") if p.suffix in (".html", ".py", ".txt")
                        and "literacy" not in p.parts)
    written = "\n".join(msgid(value) for where, value in texts() if where.startswith(course["slug"]))
    for label in labels:
        assert label in written, f"the course does not name {label!r}"
        assert f'"{label}"' in sources or f"'{label}'" in sources, f"no template has {label!r}"


def test_every_text_renders_under_every_locales_catalog(app):
    """As the loader reads them: each lazy string under ``force_locale`` of each catalog."""
    from flask_babel import force_locale

    with app.test_request_context("/en/"):
        for locale in i18n.LOCALES:
            with force_locale(locale.catalog):
                for where, value in texts():
                    assert str(value).strip(), (locale.code, where)
