"""Migrations: every step is reversible, ``flask db upgrade`` on an empty database builds
exactly what the models say, and rows written under an earlier release's schema survive the
upgrade and read correctly through today's models (docs/operations.md, "Migrations").

A model change without its migration fails here (``flask db migrate -m "..."`` writes one); a
migration without a working ``downgrade`` fails the stairway.
"""

from __future__ import annotations

import hashlib
import logging.config
import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect


@pytest.fixture
def empty_database_url(db_kind, worker_id_str, tmp_path):
    if db_kind == "postgresql":
        from tests.conftest import PG_ENV
        from tests.pg import create_database

        return create_database(os.environ[PG_ENV], f"portal_migrate_{worker_id_str}")
    return f"sqlite:///{tmp_path / 'migrated.sqlite'}"


@pytest.fixture
def migrated(make_app, empty_database_url, monkeypatch):
    """An app on an empty database, for ``flask_migrate`` to build step by step."""
    from portal.extensions import db

    # alembic's env.py calls fileConfig(), which would switch off every logger made so far
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    app = make_app(database_url=empty_database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def revisions(app) -> list[str]:
    """Every revision from the first to the head, in order (the history has no branches)."""
    config = app.extensions["migrate"].migrate.get_config(None)
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, "the migrations have more than one head: merge them"
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def current_revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def differences_from_models(connection) -> list:
    from portal.core.search import is_backend_table
    from portal.extensions import db

    context = MigrationContext.configure(
        connection, opts={
            "compare_type": True, "compare_server_default": True,
            # SQLite FTS5's virtual and shadow tables are made by DDL, not the models
            "include_name": lambda name, type_, parents: not (
                type_ == "table" and is_backend_table(name)),
        }
    )
    return compare_metadata(context, db.metadata)


def assert_matches_models(connection) -> None:
    tables = set(inspect(connection).get_table_names())
    assert {"user_account", "user_role", "audit_event", "outbox_message",
            "mailbox_message", "department", "area", "staff_department",
            "alembic_version"} <= tables
    differences = differences_from_models(connection)
    assert differences == [], (
        "the models and the migrations differ; write a migration with "
        "`flask db migrate -m '...'`:\n" + "\n".join(map(str, differences))
    )


def schema(connection) -> dict:
    """Tables with their columns (name, type, nullability: in any order, as a downgrade that
    adds a dropped column back puts it last), indexes and foreign keys."""
    found = {}
    inspector = inspect(connection)
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        found[table] = (
            sorted((c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)),
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                   for i in inspector.get_indexes(table)),
            sorted((f["name"] or "", f["referred_table"], tuple(f["constrained_columns"]))
                   for f in inspector.get_foreign_keys(table)),
        )
    return found


def test_every_step_is_reversible(migrated):
    """The stairway: for every revision in order, upgrade to it, downgrade one step (the
    schema is the one before, exactly), and upgrade again (the same schema as the first time)."""
    import flask_migrate

    from portal.extensions import db

    with migrated.app_context():
        steps = revisions(migrated)
        assert len(steps) >= 29
        with db.engine.connect() as connection:
            before = schema(connection)
        for revision in steps:
            flask_migrate.upgrade(revision=revision)
            with db.engine.connect() as connection:
                after = schema(connection)
                assert current_revision(connection) == revision
            flask_migrate.downgrade(revision="-1")
            with db.engine.connect() as connection:
                assert schema(connection) == before, f"downgrade of {revision} left changes"
            flask_migrate.upgrade(revision=revision)
            with db.engine.connect() as connection:
                assert schema(connection) == after, f"{revision} upgraded twice differs"
            before = after
        assert revision == steps[-1]


def test_upgrade_matches_the_models(migrated):
    """Empty → head matches the models; head → base leaves nothing; base → head matches again."""
    import flask_migrate

    from portal.extensions import db

    with migrated.app_context():
        for _round in range(2):
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                assert current_revision(connection) == revisions(migrated)[-1]
                assert_matches_models(connection)
            flask_migrate.downgrade(revision="base")
            with db.engine.connect() as connection:
                assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
                assert current_revision(connection) is None


# --- rows written under an earlier release's schema ----------------------------------------

PHOTO = bytes(range(256)) * 40  # 10 KB that no text encoding would keep intact
WHEN = datetime(2026, 11, 2, 9, 30, 15, 123456)


def _insert(connection, name: str, **values) -> None:
    """One row in the table as it is at the current revision: columns it does not have yet
    (or any more) are left out, so one description of the data serves every release."""
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    connection.execute(table.insert().values(
        **{k: v for k, v in values.items() if k in table.c}))


def _old_event(seq: int, prev: str | None, **fields):
    """An event as releases before bounds_0001 wrote it: hash version 1, no salt."""
    from portal.feedback.models import RequestEvent
    from portal.feedback.services import event_hash

    values = {"from_state": None, "to_state": None, "public_text": None, "internal_note": None,
              **fields}
    event = RequestEvent(request_id=1, seq=seq, created_at=WHEN, actor_id=1, actor_role="resident",
                         data={}, prev_hash=prev, hash_version=1, salt=None, **values)
    event.hash = event_hash(event)
    return event


def _load_city(connection) -> dict:
    """A resident, a department, a category with keywords, a request with a photo, its two
    events, a reply template: what every release since embedded_0001 could hold."""
    from portal.core.passwords import hash_password

    en = {"en": "Roads"}
    _insert(connection, "user_account", id=1, email="ada@example.org", display_name="Ada",
            password_hash=hash_password("correct horse battery"), locale="en", large_text=False,
            session_token="old-token", created_at=WHEN, notify_mode="each")
    _insert(connection, "department", id=1, code="roads", kind="government", level="municipal",
            name_i18n=en, source_locale="en")
    _insert(connection, "area", id=1, code="north", level="district", name_i18n={"en": "North"},
            source_locale="en")
    _insert(connection, "category_group", id=1, code="streets", name_i18n={"en": "Streets"},
            position=1, source_locale="en")
    _insert(connection, "service_category", id=1, service_code="pothole", group_id=1,
            name_i18n={"en": "Pothole"}, description_i18n={"en": "A hole"}, source_locale="en",
            keywords="  pothole\n road ", keywords_i18n={"en": "pothole road"}, attributes=[],
            ack_hours=24, resolve_days=10, active=True)
    first = _old_event(1, None, kind="submitted", to_state="submitted", public_text="Deep hole")
    second = _old_event(2, first.hash, kind="note", internal_note="crew on Monday")
    _insert(connection, "feedback_request", id=1, tracking_code="RB-0001", category_id=1,
            area_id=1, title="Pothole on Elm Street", description="Deep hole", source_locale="en",
            location_text="Elm Street 4", answers={}, resident_id=1, show_name=False,
            source="web", state="submitted", state_type="open", priority=False,
            lead_department_id=1, co_department_ids=[], deadline_explanation={},
            extended=False, escalation_level=0, overdue=False, followers_count=0,
            created_at=WHEN, updated_at=WHEN, last_event_hash=second.hash)
    for event in (first, second):
        _insert(connection, "feedback_event", id=event.seq, **{
            c: getattr(event, c) for c in ("request_id", "seq", "created_at", "actor_id",
                                           "actor_role", "kind", "from_state", "to_state",
                                           "public_text", "internal_note", "data", "prev_hash",
                                           "hash")})
    _insert(connection, "feedback_attachment", id=1, request_id=1, filename="hole.jpg",
            content_type="image/jpeg", size=len(PHOTO), sha256=hashlib.sha256(PHOTO).hexdigest(),
            data=PHOTO, created_at=WHEN)
    _insert(connection, "feedback_reply_template", id=1, category_id=1,
            title_i18n={"en": "Thanks"}, body_i18n={"en": "We are on it."}, source_locale="en")


# The revision before each migration that rewrote tables holding rows: bounds_0001 (events'
# hash version and salt, templates' department), safety_0001 (drops user_account.session_token),
# features_0001 (keywords become per language), search_0002 (rewrites the index).
EARLIER = ["embedded_0001", "open311_0001", "search_0001", "orgs_0001"]


@pytest.mark.parametrize("start", EARLIER)
def test_rows_of_an_earlier_release_survive_the_upgrade(migrated, start):
    import flask_migrate
    from sqlalchemy import select

    from portal.core.models import User
    from portal.core.passwords import verify_password
    from portal.extensions import db
    from portal.feedback import services
    from portal.feedback.models import Attachment, ReplyTemplate, Request, RequestEvent
    from portal.responsibility.models import ServiceCategory

    with migrated.app_context():
        flask_migrate.upgrade(revision=start)
        with db.engine.begin() as connection:
            _load_city(connection)
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert_matches_models(connection)
        session = db.session
        user = session.scalars(select(User).where(User.email == "ada@example.org")).one()
        assert user.display_name == "Ada"
        assert verify_password(user.password_hash, "correct horse battery")
        category = session.get(ServiceCategory, 1)
        assert category.keywords_i18n == {"en": "pothole road"}
        request = session.scalars(select(Request).where(Request.tracking_code == "RB-0001")).one()
        assert (request.title, request.state, request.created_at) == (
            "Pothole on Elm Street", "submitted", WHEN)
        events = session.scalars(select(RequestEvent).order_by(RequestEvent.seq)).all()
        assert [(e.kind, e.hash_version, e.salt) for e in events] == [
            ("submitted", 1, None), ("note", 1, None)]
        assert services.verify(session, request).ok  # old hashes still verify
        photo = session.get(Attachment, 1)
        assert (photo.data, photo.thumbnail, photo.size) == (PHOTO, None, len(PHOTO))
        template = session.get(ReplyTemplate, 1)
        assert (template.body_i18n, template.department_id) == ({"en": "We are on it."}, None)
        session.remove()


def _search_schema(connection) -> list:
    """What SQLite holds for the search index: the FTS5 table, its view and triggers."""
    from sqlalchemy import text

    return sorted(connection.execute(text(
        "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'search_fts%' "
        "OR (type = 'trigger' AND tbl_name = 'search_document')")).all())


def test_search_0002_marks_the_words_of_existing_documents(make_app, empty_database_url,
                                                            monkeypatch, app):
    """Documents written before search_0002 are found after it (and after its downgrade), and
    the migrated index is the one create_all() makes."""
    import flask_migrate
    from sqlalchemy import text

    from portal.core import search
    from portal.extensions import db

    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    with app.app_context(), db.engine.connect() as connection:  # made by create_all()
        made = _search_schema(connection) if connection.dialect.name == "sqlite" else None
    migrated = make_app(database_url=empty_database_url)
    code = search.KINDS["publication"].code
    words = {"title": "annual budget", "body": "the roads", "extra": "2026"}

    def add(connection, ref_id, public, tsv):
        connection.execute(text(
            "INSERT INTO search_document (id, kind, ref_id, public, locale, title, body, extra, tsv) "
            "VALUES (:id, 'publication', :ref, :public, 'en', :title, :body, :extra, "
            + ("CAST(:tsv AS tsvector))" if postgres else ":tsv)")),
            {"id": ref_id * search.KIND_CODES + code, "ref": ref_id, "public": public, **words,
             "tsv": tsv})

    def found(query):
        return [h.ref_id for h in search.search(db.session, "publication", query)]

    with migrated.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        flask_migrate.upgrade(revision="orgs_0001")
        old_tsv = search.tsvector_literal(None, *(w.split() for w in words.values()))
        with db.engine.begin() as connection:
            add(connection, 1, True, old_tsv if postgres else None)
            add(connection, 2, False, old_tsv if postgres else None)
        flask_migrate.upgrade()
        assert found("budget") == [1] and found("budg roads 2026") == [1]
        assert found("annual") == [1]
        db.session.remove()  # its transaction holds SQLite's write lock
        if not postgres:
            with db.engine.connect() as connection:
                assert _search_schema(connection) == made
        flask_migrate.downgrade(revision="orgs_0001")
        with db.engine.connect() as connection:
            if postgres:
                q = "SELECT ref_id FROM search_document WHERE public AND tsv @@ 'budget:*'"
            else:
                q = "SELECT rowid / 64 FROM search_fts WHERE search_fts MATCH 'budget*'"
            assert connection.execute(text(q)).scalars().all() == [1]
        db.session.remove()
