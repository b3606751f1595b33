"""Upload storage failing: files are stored in the database, so "disk full" is the database
refusing the file's write — SQLite's SQLITE_FULL (``PRAGMA max_page_count``), PostgreSQL's
``disk_full`` (SQLSTATE 53100, raised by a trigger on the attachments' table).

What the resident sees: the files step comes back with a message beside the photo field
naming the file that could not be stored; what they typed (the draft), and the files stored
before, are kept, and the request can be sent with them."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from PIL import Image
from sqlalchemy import select

from portal.feedback.models import Attachment, FeedbackDraft
from tests.functional.feedback.test_submit import (  # noqa: F401 (fixtures)
    NEW,
    at_files,
    city,
    field_error,
    jpeg_with_gps,
    newest_request,
    resident,
    the_draft,
    upload,
)
from tests.functional.support import page

DEFAULT_MAX_PAGE_COUNT = 4294967294


def noise_png(size=360) -> bytes:
    """A photo that does not compress: about 390 KB, more than the free pages of the file (and under the
    500 KB past which the test client spools the upload to a file it leaves open)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, "PNG")
    return out.getvalue()


PG_REFUSE = (
    "CREATE FUNCTION refuse_attachment() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'could not extend file: No space left on device' "
    "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER refuse_attachment BEFORE INSERT ON feedback_attachment "
    "FOR EACH ROW EXECUTE FUNCTION refuse_attachment()",
)


def _files_step(client, area_id):
    assert client.post(f"{NEW}/category", data={"category": "pothole"}).status_code == 303
    response = client.post(f"{NEW}/details", data={
        "description": "A deep pothole outside the bakery; cyclists swerve into traffic.",
        "title": "Pothole outside the bakery", "location_text": "8 Market Street, by the bakery",
        "area": str(area_id), "attr_size": "large", "attr_since": "last week"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/new/files")


def _refused_and_kept(client, session, full, while_full=None):
    """Upload a photo, fill the storage, upload another: the message, and what is kept."""
    assert upload(client, ("before.jpg", jpeg_with_gps())).status_code == 303
    typed = dict(the_draft(session).data)["details"]
    session.commit()  # SQLite: the test's reads must not hold the write lock
    with full():
        response = upload(client, ("pothole.png", noise_png()))
        assert response.status_code == 422
        doc = page(response)
        assert "pothole.png could not be stored" in field_error(doc, "files")
        assert doc.one("div", role="alert")  # the error summary links to the field
        assert "before.jpg" in doc.one("table").text  # the file stored before is still there
        if while_full:
            while_full()
    draft = the_draft(session)
    assert draft.data["details"] == typed  # what was typed is kept
    names = [a.filename for a in session.scalars(
        select(Attachment).where(Attachment.draft_key == draft.key))]
    assert names == ["before.jpg"]
    # the resident sends it as it is: the request, with the file that was stored
    assert client.post(f"{NEW}/review").status_code == 303
    sent = newest_request(session)
    assert sent.title == "Pothole outside the bakery"
    assert [a.filename for a in session.scalars(
        select(Attachment).where(Attachment.request_id == sent.id))] == ["before.jpg"]
    assert session.scalar(select(FeedbackDraft).where(FeedbackDraft.key == draft.key)) is None


@pytest.mark.postgres_only
def test_postgresql_disk_full_keeps_the_rest_of_the_request(client, at_files, db_session):  # noqa: F811
    connection = db_session.connection()

    @contextlib.contextmanager
    def full():
        for statement in PG_REFUSE:
            connection.exec_driver_sql(statement)
        try:
            yield
        finally:  # the test's transaction is rolled back too: this is for the rest of the test
            connection.exec_driver_sql("DROP TRIGGER refuse_attachment ON feedback_attachment")

    def the_rest_still_works():  # the database still writes everything but files
        response = client.get(f"{NEW}/review")
        assert response.status_code == 200
        assert "Pothole outside the bakery" in page(response).text

    _refused_and_kept(client, db_session, full, the_rest_still_works)


@pytest.mark.sqlite_only
def test_sqlite_full_keeps_the_rest_of_the_request(make_app, tmp_path):
    """SQLITE_FULL rolls the whole transaction back (it cannot live inside the test's own
    transaction): a database file of its own, committed as in production."""
    from sqlalchemy import event

    from portal.extensions import db
    from portal.responsibility.models import Area
    from portal.seed import DEMO_PASSWORD, seed

    app = make_app(database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}")
    limit = {"pages": None}
    with app.app_context():
        db.create_all()
        with app.test_request_context():
            seed(db.session)
            db.session.commit()
        area_id = db.session.scalar(select(Area.id).where(Area.code == "old-market"))
        engine = db.engine

    @event.listens_for(engine, "connect")
    def max_pages(dbapi_connection, record):
        if limit["pages"]:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    @contextlib.contextmanager
    def full():
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
            free = connection.exec_driver_sql("PRAGMA freelist_count").scalar()
            page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        assert free * page_size < 380_000, "the free pages would hold the photo: make it bigger"
        limit["pages"] = pages
        engine.dispose()  # every connection from now on has the limit
        try:
            yield
        finally:
            limit["pages"] = None
            engine.dispose()

    client = app.test_client()
    response = client.post("/en/account/login", data={"email": "resident@riverbend.example.org",
                                                      "password": DEMO_PASSWORD})
    assert response.status_code == 303
    _files_step(client, area_id)
    with app.app_context():
        _refused_and_kept(client, db.session, full)


def test_another_database_error_is_not_taken_for_a_full_disk(client, at_files,  # noqa: F811
                                                             db_session):
    connection = db_session.connection()
    connection.exec_driver_sql("ALTER TABLE feedback_attachment RENAME TO feedback_attachment_x")
    try:
        with pytest.raises(Exception) as raised:
            upload(client, ("pothole.jpg", jpeg_with_gps()))
        assert "feedback_attachment" in str(raised.value)
    finally:
        db_session.rollback()
