"""Migrations: ``flask db upgrade`` on an empty database builds exactly what the models say.

A model change without its migration fails here (``flask db migrate -m "..."`` writes one).
"""

from __future__ import annotations

import logging.config
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect


@pytest.fixture
def empty_database_url(db_kind, worker_id_str, tmp_path):
    if db_kind == "postgresql":
        from tests.conftest import PG_ENV
        from tests.pg import create_database

        return create_database(os.environ[PG_ENV], f"portal_migrate_{worker_id_str}")
    return f"sqlite:///{tmp_path / 'migrated.sqlite'}"


def test_upgrade_matches_the_models(make_app, empty_database_url, monkeypatch):
    import flask_migrate

    from portal.extensions import db

    # alembic's env.py calls fileConfig(), which would switch off every logger made so far
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)
    migrated = make_app(database_url=empty_database_url)
    with migrated.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {"user_account", "user_role", "audit_event", "outbox_message",
                    "mailbox_message", "department", "area", "staff_department",
                    "alembic_version"} <= tables
            from portal.core.search import is_backend_table

            context = MigrationContext.configure(
                connection, opts={
                    "compare_type": True, "compare_server_default": True,
                    # SQLite FTS5's virtual and shadow tables are made by DDL, not the models
                    "include_name": lambda name, type_, parents: not (
                        type_ == "table" and is_backend_table(name)),
                }
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], (
            "the models and the migrations differ; write a migration with "
            "`flask db migrate -m '...'`:\n" + "\n".join(map(str, differences))
        )
        # and back down to nothing
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}


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
