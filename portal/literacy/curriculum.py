"""A small course for development (part 2's starter curriculum replaces this file at merge).

The format every curriculum file follows: see ``portal/literacy/seed.py``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

COURSES = [{
    "slug": "bigger-text-and-keyboard",
    "title": _l("Bigger text and the keyboard"),
    "summary": _l("Make the words on the screen bigger, and move around a page with the keyboard."),
    "level": "beginner", "minutes": 15, "competences": ["1.1", "5.2"], "pass_mark": 50,
    "lessons": [{
        "slug": "make-text-bigger", "title": _l("Make text bigger"), "steps": [
            {"kind": "text", "title": _l("Zoom in"),
             "body": _l("Hold down the Ctrl key and press the + key.\nEach press makes the page bigger."),
             "image": None, "image_alt": None, "audio": None, "transcript": None},
            {"kind": "text", "title": _l("Move with the Tab key"),
             "body": _l("Press the Tab key to go to the next link or button.\n"
                        "Press Enter to open it.")},
            {"kind": "practice", "title": _l("Try it on a form"),
             "body": _l("Open the practice form, make it bigger and move through it with the Tab key."),
             "practice": "request"},
            {"kind": "quiz", "title": _l("Check what you learned"),
             "body": _l("Answer these two questions."), "questions": [
                 {"text": _l("Which keys make the page bigger?"), "multiple": False,
                  "explanation": _l("Ctrl and + zoom in; Ctrl and - zoom out."),
                  "choices": [(_l("Ctrl and +"), True), (_l("Shift and Enter"), False)]},
                 {"text": _l("Which keys help you move through a page?"), "multiple": True,
                  "explanation": _l("Tab goes forward; Shift and Tab go back."),
                  "choices": [(_l("Tab"), True), (_l("Shift and Tab"), True),
                              (_l("Caps Lock"), False)]},
             ]},
        ]}],
}]
