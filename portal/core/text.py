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


# --- shortening a text to a title ------------------------------------------------------------

ELLIPSIS = "…"
TSHEG = "\u0f0b"  # ་ ends every Tibetan syllable
_TIBETAN_BREAKS = {TSHEG, "\u0f0d", "\u0f0e", "\u0f14"}  # ་ ། ༎ ༔
_TRAILING = " \t\n,，、;；:：.。-–—" + TSHEG + "\u0f0d"


def _is_cjk(ch: str) -> bool:
    """Han, kana and CJK punctuation: written without spaces, a break is allowed anywhere."""
    code = ord(ch)
    return (0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FFFF)


def _breakable(before: str, after: str) -> bool:
    """May a text be cut between ``before`` and ``after``? At a space; after a Tibetan
    syllable (་) or shad (།); before or after a Chinese or Japanese character."""
    return (before.isspace() or after.isspace() or before in _TIBETAN_BREAKS
            or _is_cjk(before) or _is_cjk(after))


def shorten(text: str | None, limit: int, locale: str | None = None) -> str:
    """``text`` on one line, cut to at most ``limit`` characters (the ellipsis included) at a
    word: a space in space-separated scripts, a syllable (་) in Tibetan, a character in
    Chinese. A single word longer than half the limit is cut inside it rather than dropped.

    The rules follow the script of the characters at the cut, so a Chinese sentence with an
    English word in it is cut at a character, and not inside the English word; ``locale`` (the
    language the text is written in) is only a hint for text that gives none (digits).
    """
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    room = limit - len(ELLIPSIS)
    chinese = (locale or "").startswith("zh")
    cut = None
    for end in range(room, max(room // 2, 1) - 1, -1):
        before, after = text[end - 1], text[end]
        if _breakable(before, after) or (chinese and not before.isalpha() and not after.isalpha()):
            cut = end
            break
    head = text[:cut if cut is not None else room].rstrip(_TRAILING)
    return (head or text[:room]) + ELLIPSIS
