"""What text the portal accepts: the one rule for control characters, used by forms and APIs.

Tab, line feed and carriage return are allowed where a field takes several lines; every other
C0 control (NUL included, which PostgreSQL refuses in text), DEL and the C1 controls are
refused. Format characters that scripts need are kept: the zero-width joiner and non-joiner
(Arabic, Uyghur, Tibetan shaping) and the bidirectional marks (mixed-direction text).
"""

from __future__ import annotations

import re

_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(value: str, multiline: bool = False) -> bool:
    """True when ``value`` holds a character no field of the portal accepts."""
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE
    return pattern.search(value) is not None
