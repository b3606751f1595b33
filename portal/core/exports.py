"""CSV exports, one rule for every module: UTF-8 with a byte-order mark (so spreadsheet apps
read the names right), CRLF line ends, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet app will not run as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe. Numbers are written as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: list, rows: list[list]) -> str:
    """UTF-8 text with a byte-order mark (so spreadsheet apps read the names right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buffer.getvalue()
