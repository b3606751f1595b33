"""URL converters shared by every blueprint.

``int`` is bounded: an identifier in a path past what an ``integer`` column holds is not a
row, so the URL does not match (404) instead of reaching the database, where PostgreSQL
would fail the statement. A route that needs wider numbers says so: ``<int(max=...):n>``.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

from portal.core.forms import MAX_INT


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=0, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > len(str(self.max if self.max is not None else 2**63)) + 1:
            raise ValidationError()  # no need to read 5,000 digits to know (Python refuses)
        return super().to_python(value)


def init_converters(app) -> None:
    """Before any blueprint is registered: rules are compiled with the converters of the day."""
    app.url_map.converters["int"] = BoundedIntegerConverter
