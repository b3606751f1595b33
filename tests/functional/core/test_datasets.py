"""The classification table (``portal.core.datasets``): one rule of who reads which class of
field where, applied the same by downloads, the API and pages; the registrations of every
module hold only known classes and types, and every personal field stays out of exports."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from portal.core import datasets as ds

TABLE = ds.Dataset("sample", _l("Sample"), _l("A sample."), fields=(
    ds.Field("code", ds.PUBLIC, "string", _l("Code.")),
    ds.Field("note", ds.INTERNAL, "text", _l("Note."), nullable=True),
    ds.Field("email", ds.PERSONAL, "string", _l("Email."), nullable=True),
))
ROW = {"code": "A-1", "note": "call back", "email": "someone@example.org", "other": "x"}

STAFF = ds.Reader(staff=True)
OWNER = ds.Reader(owner=True)
HANDLER = ds.Reader(staff=True, handler=True)


@pytest.mark.parametrize(("reader", "channel", "fields"), [
    (ds.ANONYMOUS, ds.EXPORT, ["code"]),
    (ds.ANONYMOUS, ds.PAGE, ["code"]),
    (STAFF, ds.EXPORT, ["code", "note"]),
    (STAFF, ds.PAGE, ["code", "note"]),
    (OWNER, ds.EXPORT, ["code"]),  # personal: never in a download or the API, even one's own
    (OWNER, ds.PAGE, ["code", "email"]),
    (HANDLER, ds.EXPORT, ["code", "note"]),
    (HANDLER, ds.PAGE, ["code", "note", "email"]),
])
def test_the_masking_rule(reader, channel, fields):
    assert [f.name for f in ds.columns(TABLE, reader, channel)] == fields
    assert ds.mask(TABLE, ROW, reader, channel) == {k: ROW[k] for k in fields}


def test_the_schema_follows_the_rule():
    schema = ds.json_schema(TABLE)
    assert schema["required"] == ["code"] and schema["additionalProperties"] is False
    assert ds.json_schema(TABLE, STAFF)["properties"]["note"]["type"] == ["string", "null"]


def test_unknown_classes_types_and_twice_listed_fields_are_refused():
    with pytest.raises(ValueError):
        ds.Field("x", "secret", "string", _l("X."))
    with pytest.raises(ValueError):
        ds.Field("x", ds.PUBLIC, "blob", _l("X."))
    with pytest.raises(ValueError):
        ds.register(ds.Dataset("twice", _l("T"), _l("T"), fields=(TABLE.fields[0], TABLE.fields[0])))


def test_a_reader_is_staff_only_with_the_role(db_session, factories):
    assert ds.reader_for(factories.user()).staff is False
    assert ds.reader_for(factories.user(roles=["staff"])).staff is True
    assert ds.reader_for(factories.admin()).staff is True
    assert ds.reader_for(factories.user(), handler=True).handler is False  # only staff handle


def test_every_module_registers_its_datasets(app):
    keys = {d.key for d in ds.all_datasets()}
    assert {"departments", "areas", "responsibility", "requests", "metrics", "halls",
            "proposals"} <= keys
    for data in ds.all_datasets():
        assert data.rows is not None and data.fields
        assert all(str(f.description) for f in data.fields)


def test_what_is_personal_in_the_requests(app):
    personal = {f.name for f in ds.get("requests").fields if f.cls == ds.PERSONAL}
    assert {"contact_name", "contact_email", "contact_phone", "location_text", "latitude",
            "longitude"} <= personal
    # the rating form tells the resident their comment is shown on the public page, and the
    # timeline (and Open311's updates) publish it: public, as the page always printed it
    assert ds.get("requests").field("satisfaction_comment").cls == ds.PUBLIC
    assert ds.get("proposals").field("author_id").cls == ds.PERSONAL
