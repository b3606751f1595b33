"""States are data: each module lists its states as ``State`` rows (a code, the type the
rules test, a label, a tag colour); transitions are code in the module's services."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    code: str
    type: str
    label: object
    tag: str  # status_tag colour: neutral, info, success, warning, danger
