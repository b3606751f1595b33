"""The control-character rule shared by forms and APIs."""

import pytest

from portal.core.text import has_control_characters


@pytest.mark.parametrize("value", ["a\x00b", "tab\there", "line\nbreak", "\x7f", "\x85", "\x1b[31m"])
def test_one_line_refuses_controls(value):
    assert has_control_characters(value)


@pytest.mark.parametrize("value", ["a\x00b", "\x0b", "\x7f", "\x9f"])
def test_multiline_refuses_controls_but_line_breaks(value):
    assert has_control_characters(value, multiline=True)


@pytest.mark.parametrize("value", ["Bridge Road", "第一行\r\n第二行\tend", "كتاب\u200c", "བོད་ཡིག", "a\u200fb"])
def test_text_that_scripts_need_passes(value):
    assert not has_control_characters(value, multiline=True)
