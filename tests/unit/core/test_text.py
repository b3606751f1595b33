"""The control-character rule shared by forms and APIs."""

import pytest

from portal.core.text import has_control_characters, shorten


@pytest.mark.parametrize("value", ["a\x00b", "tab\there", "line\nbreak", "\x7f", "\x85", "\x1b[31m"])
def test_one_line_refuses_controls(value):
    assert has_control_characters(value)


@pytest.mark.parametrize("value", ["a\x00b", "\x0b", "\x7f", "\x9f"])
def test_multiline_refuses_controls_but_line_breaks(value):
    assert has_control_characters(value, multiline=True)


@pytest.mark.parametrize("value", ["Bridge Road", "第一行\r\n第二行\tend", "كتاب\u200c", "བོད་ཡིག", "a\u200fb"])
def test_text_that_scripts_need_passes(value):
    assert not has_control_characters(value, multiline=True)


# --- shorten: a title from a description ---------------------------------------------------

def test_short_text_is_kept_on_one_line():
    assert shorten("  A deep\npothole  ", 80) == "A deep pothole"


def test_space_separated_text_is_cut_at_a_word():
    text = "A deep pothole has opened in front of the school gate and children step around it"
    title = shorten(text, 30, "en")
    assert title == "A deep pothole has opened in…"
    assert len(title) <= 30 and text.startswith(title[:-1])


@pytest.mark.parametrize("locale", ["ar", "ug", "es"])
def test_other_space_separated_scripts_are_cut_at_a_word(locale):
    text = {"ar": "حفرة عميقة أمام بوابة المدرسة والأطفال يمشون حولها في الطريق",
            "ug": "مەكتەپ دەرۋازىسى ئالدىدا چوڭقۇر ئازگال پەيدا بولدى",
            "es": "Un bache profundo delante de la puerta del colegio"}[locale]
    title = shorten(text, 25, locale)
    assert title.endswith("…") and len(title) <= 25
    assert (title[:-1] + " ") in text + " "  # whole words only


def test_tibetan_is_cut_at_a_syllable():
    text = "ཚོང་རའི་རྗེས་སུ་གད་སྙིགས་མང་པོ་ཡོད་པས་ལམ་ཁ་བཀག་འདུག"
    title = shorten(text, 20, "bo")
    assert title.endswith("…") and len(title) <= 20
    head = title[:-1]
    assert text.startswith(head) and text[len(head)] == "་"  # the cut falls at a tsheg


def test_chinese_is_cut_at_a_character_but_not_inside_a_latin_word():
    assert shorten("市场入口处路面塌陷，雨天积水很深，行人很难通过。", 10, "zh-Hans") == "市场入口处路面塌陷…"
    title = shorten("路灯坏了，型号是 ABCDEFGHIJ 的路灯", 12, "zh-Hans")
    assert title == "路灯坏了，型号是…"


def test_one_very_long_word_is_cut_inside_it():
    assert shorten("a" * 50, 10) == "a" * 9 + "…"
