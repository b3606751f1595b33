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
