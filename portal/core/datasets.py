"""The one classification table of published data, and the one masking rule.

Every dataset the portal publishes (open-data downloads, the JSON API at ``/api/v1/``, the
public pages that print its fields) registers here, next to its module's code, with one call:

    datasets.register(datasets.Dataset(
        "departments", _l("Departments"), _l("The city's departments."),
        fields=(datasets.Field("code", datasets.PUBLIC, "string", _l("Its short code.")), ...),
        rows=department_rows, topics=("responsibility",)))

Each field has a **class**:

- ``public``: anyone may read it, in every page, download and API answer;
- ``internal``: staff and administrators only (work notes, who handles it, escalation);
- ``personal``: about a person (names, contact details, exact points, private free text):
  **never** in a download or the API; on a page only for the person themselves and the staff
  handling it.

``columns(dataset, reader, channel)`` is the rule, and ``mask(dataset, row, reader, channel)``
applies it to one row; ``visible(key, reader)`` gives a page the names of the fields it may
print. Downloads, the API, the data dictionary page, the OpenAPI document and the public
pages of requests and disclosure requests all read this table, so none of them can drift
from it.

A dataset's ``rows(session, query)`` gives rows (dicts keyed by field name, in a stable
order, ``query.limit`` at most, after ``query.cursor``) and the cursor of the next page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PUBLIC = "public"
INTERNAL = "internal"
PERSONAL = "personal"
CLASSES = (PUBLIC, INTERNAL, PERSONAL)

# Where a field is printed: a download or an API answer ("export") never carries personal
# data; a page ("page") shows it to the person and to the staff handling it.
EXPORT = "export"
PAGE = "page"

# JSON Schema types of the fields (the OpenAPI document and the dictionary name them).
TYPES = {
    "string": {"type": "string"},
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "format": "uri"},
    "integer-list": {"type": "array", "items": {"type": "integer"}},
    "string-list": {"type": "array", "items": {"type": "string"}},
}


@dataclass(frozen=True)
class Field:
    name: str
    cls: str
    type: str
    description: Any  # a lazy string: translated in the reader's language
    nullable: bool = False
    enum: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.cls not in CLASSES:
            raise ValueError(f"{self.name}: unknown class {self.cls!r}")
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: unknown type {self.type!r}")

    def schema(self) -> dict:
        out = dict(TYPES[self.type])
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.nullable:
            kind = out["type"]
            out["type"] = [kind, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        out["description"] = str(self.description)
        return out


@dataclass(frozen=True)
class Filter:
    """A parameter a dataset's rows take besides paging (``dimension`` of the metrics)."""

    name: str
    description: Any
    choices: tuple[str, ...]
    default: str


@dataclass
class Query:
    locale: str = "en"
    cursor: int | None = None
    limit: int = 50
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dataset:
    key: str
    title: Any
    description: Any
    fields: tuple[Field, ...]
    rows: Callable | None = None  # rows(session, query) -> (list[dict], next cursor | None)
    topics: tuple[str, ...] = ()  # the domains whose writes change it (page cache)
    filters: tuple[Filter, ...] = ()
    position: int = 100
    api: bool = True  # also at /api/v1/<key>

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Add (or replace, on re-import) a dataset; field names are unique within it."""
    names = [f.name for f in dataset.fields]
    if len(set(names)) != len(names):
        raise ValueError(f"{dataset.key}: a field is listed twice")
    _REGISTRY[dataset.key] = dataset
    return dataset


def get(key: str) -> Dataset | None:
    return _REGISTRY.get(key)


def all_datasets() -> list[Dataset]:
    return sorted(_REGISTRY.values(), key=lambda d: (d.position, d.key))


def unregister(key: str) -> None:
    """For tests that add a dataset of their own."""
    _REGISTRY.pop(key, None)


# --- the rule -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reader:
    """Who reads: ``staff`` (staff and administrators), and, on a page about one record,
    whether they are its ``owner`` (the person the record is about) or ``handler`` (staff who
    handle it)."""

    staff: bool = False
    owner: bool = False
    handler: bool = False


ANONYMOUS = Reader()


def reader_for(user, owner: bool = False, handler: bool = False) -> Reader:
    """The reader a signed-in (or anonymous) user is."""
    from portal.core.roles import ADMIN, STAFF

    staff = bool(getattr(user, "is_authenticated", False) and user.has_role(STAFF, ADMIN))
    return Reader(staff=staff, owner=owner, handler=handler and staff)


def allowed(cls: str, reader: Reader, channel: str = EXPORT) -> bool:
    if cls == PUBLIC:
        return True
    if cls == INTERNAL:
        return reader.staff
    return channel == PAGE and (reader.owner or reader.handler)  # personal


def columns(dataset: Dataset, reader: Reader = ANONYMOUS, channel: str = EXPORT) -> list[Field]:
    """The fields ``reader`` may read of ``dataset`` in ``channel``, in the table's order."""
    return [f for f in dataset.fields if allowed(f.cls, reader, channel)]


def mask(dataset: Dataset, row: dict, reader: Reader = ANONYMOUS, channel: str = EXPORT) -> dict:
    """``row`` with only the fields ``reader`` may read (every one of them present)."""
    return {f.name: row.get(f.name) for f in columns(dataset, reader, channel)}


def json_schema(dataset: Dataset, reader: Reader = ANONYMOUS, channel: str = EXPORT) -> dict:
    fields = columns(dataset, reader, channel)
    return {"type": "object", "additionalProperties": False,
            "required": [f.name for f in fields],
            "properties": {f.name: f.schema() for f in fields}}


_VISIBLE: dict[tuple[str, Reader, str], tuple[Dataset, frozenset[str]]] = {}


def visible(key: str, reader: Reader = ANONYMOUS, channel: str = PAGE) -> frozenset[str]:
    """For a page: the names of the fields of dataset ``key`` that ``reader`` may read (on a
    page by default). The view passes them to its template as ``shown``, which prints each
    field it maps to the table only if it is there (``{% if "contact_name" in shown %}``).
    Kept per (key, reader, channel): the table changes only when a dataset is registered
    again, which the kept answer notices. An unknown key shows nothing."""
    data = get(key)
    if data is None:
        return frozenset()
    kept = _VISIBLE.get((key, reader, channel))
    if kept is not None and kept[0] is data:
        return kept[1]
    names = frozenset(f.name for f in columns(data, reader, channel))
    _VISIBLE[(key, reader, channel)] = (data, names)
    return names


def withheld(key: str, sources: dict[str, str], reader: Reader = ANONYMOUS,
             channel: str = EXPORT) -> set[str]:
    """For an export with its own field names (Open311's, the map's): the names of
    ``sources`` (its field → the dataset's field it prints) that ``reader`` may not read, so
    the export leaves them empty. A source the table does not list is withheld too."""
    data = get(key)
    allowed = {f.name for f in columns(data, reader, channel)} if data else set()
    return {name for name, source in sources.items() if source not in allowed}
