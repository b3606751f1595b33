"""``flask backup create`` and ``flask backup restore`` (portal.core.backup, docs/operations.md).

Each test has databases of its own (a restore replaces everything, which the rolled-back
``db_session`` cannot undo), built by the migrations as a real deployment is.
"""

from __future__ import annotations

import io
import json
import logging.config
import os
import sqlite3
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal.core import backup


@pytest.fixture
def new_database(db_kind, worker_id_str, tmp_path):
    """``new_database(name)``: the URL of an empty database of the run's kind."""

    def _new(name: str) -> str:
        if db_kind == "postgresql":
            from tests.conftest import PG_ENV
            from tests.pg import create_database

            return create_database(os.environ[PG_ENV], f"portal_{name}_{worker_id_str}")
        return f"sqlite:///{tmp_path / f'{name}.sqlite'}"

    return _new


@pytest.fixture
def portal(make_app, new_database, monkeypatch):
    """``portal(name, revision="head")``: an app on its own database, migrated to ``revision``."""
    import flask_migrate

    from portal.extensions import db

    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)

    def _portal(name: str, revision: str = "head"):
        app = make_app(database_url=new_database(name))
        with app.app_context():
            flask_migrate.upgrade(revision=revision)
            db.session.remove()
        return app

    return _portal


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    return result


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 90)).save(out, format="JPEG")
    return out.getvalue()


def seed_with_photo(app) -> tuple[int, int, bytes]:
    """The demo city and a photo on its first request: (request id, photo id, stored bytes)."""
    from portal.extensions import db
    from portal.feedback import attachments
    from portal.feedback.models import Request
    from portal.seed import seed

    with app.app_context(), app.test_request_context():
        seed(db.session)
        request = db.session.scalars(select(Request).order_by(Request.id)).first()
        photo = attachments.add(db.session, "hole.jpg", jpeg(), request_id=request.id)
        db.session.commit()
        ids = request.id, photo.id, photo.data
        db.session.remove()
        db.engine.dispose()  # a PostgreSQL template database must have no connections
    return ids


_SEEDED: dict[str, tuple[str, tuple[int, int, bytes]]] = {}


@pytest.fixture
def seeded(portal, make_app, new_database, db_kind):
    """``seeded(name)``: (app, (request id, photo id, photo bytes)) on a database holding the
    demo city and a photo. The city is seeded once per run and copied (seeding is the slow part)."""

    def _seeded(name: str):
        if db_kind not in _SEEDED:
            template = portal("seeded_template")
            with template.app_context():
                from portal.extensions import db

                url = db.engine.url.render_as_string(hide_password=False)
            _SEEDED[db_kind] = (url, seed_with_photo(template))
        template_url, ids = _SEEDED[db_kind]
        url = new_database(name)
        if db_kind == "postgresql":
            import psycopg
            from sqlalchemy.engine import make_url

            target = make_url(url)
            admin = target.set(drivername="postgresql", database="postgres")
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{target.database}"')
                conn.execute(f'CREATE DATABASE "{target.database}" TEMPLATE '
                             f'"{make_url(template_url).database}"')
        else:
            source = sqlite3.connect(template_url.removeprefix("sqlite:///"))
            copy = sqlite3.connect(url.removeprefix("sqlite:///"))
            source.backup(copy)
            copy.close()
            source.close()
        return make_app(database_url=url), ids

    return _seeded


def counts(app) -> dict[str, int]:
    from portal.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        return backup.table_counts(connection)


def test_restore_brings_back_the_data_and_the_photo(seeded, tmp_path):
    from portal.core.models import AuditEvent
    from portal.extensions import cache, db
    from portal.feedback.models import Attachment, Request

    app, (request_id, photo_id, photo) = seeded("backup")
    before = counts(app)
    archive = tmp_path / "nightly.tar"

    result = run(app, "create", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert f"to {archive}" in result.output
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted(["manifest.json", backup.DUMPS[_kind(app)]])
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["tables"] == before
    assert manifest["revision"] == head(app)
    assert manifest["tables"]["feedback_attachment"] >= 1 and manifest["tables"]["user_account"] > 5

    # changed and deleted after the backup
    with app.app_context():
        request = db.session.get(Request, request_id)
        title = request.title
        request.title = "Changed after the backup"
        db.session.delete(db.session.get(Attachment, photo_id))
        db.session.add(AuditEvent(action="after.backup", target_type="test", details={}))
        db.session.commit()
        cache.set("v:feedback", "stale-version", timeout=0)
        cache.set("page:some-page", "stale page", timeout=0)
        db.session.remove()
    assert counts(app) != before

    refused = run(app, "restore", str(archive))
    assert refused.exit_code != 0
    assert "--force" in refused.stderr
    with app.app_context():
        assert db.session.get(Request, request_id).title == "Changed after the backup"
        db.session.remove()

    result = run(app, "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert "match the manifest" in result.output
    with app.app_context():
        assert db.session.get(Request, request_id).title == title
        restored = db.session.get(Attachment, photo_id)
        assert restored.data == photo and restored.sha256 == manifest_sha(photo)
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "after.backup")) == 0
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "backup.restored")) == 1
        assert cache.get("v:feedback") is None and cache.get("page:some-page") is None
        db.session.remove()
    after = counts(app)
    assert after == {**before, "audit_event": before["audit_event"] + 1}


def head(app) -> str:
    with app.app_context():
        return backup.known_revisions(app)[1]


def _kind(app) -> str:
    from portal.extensions import db

    with app.app_context():
        return db.engine.dialect.name


def manifest_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_restore_drill_into_a_new_empty_database(seeded, portal, tmp_path):
    """A new server: ``db upgrade`` on an empty database, then restore without --force."""
    from portal.extensions import db
    from portal.feedback.models import Attachment

    source, (_request_id, photo_id, photo) = seeded("drill_source")
    archive = tmp_path / "drill.tar"
    assert run(source, "create", str(archive)).exit_code == 0
    target = portal("drill_target")
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert counts(target) == {**counts(source), "audit_event": counts(source)["audit_event"] + 1}
    with target.app_context():
        assert db.session.get(Attachment, photo_id).data == photo
        db.session.remove()


def test_an_older_archive_replaces_a_newer_schema(seeded, portal, tmp_path):
    """An archive taken at an earlier revision restores over a database at the head (tables
    made since are dropped), and ``db upgrade`` then brings it to the head."""
    import flask_migrate
    from alembic.migration import MigrationContext

    from portal.extensions import db

    old = portal("older", revision="orgs_0001")
    archive = tmp_path / "older.tar"
    assert run(old, "create", str(archive)).exit_code == 0
    current, _ids = seeded("current")
    result = run(current, "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert "db upgrade" in result.output
    assert counts(current).keys() == counts(old).keys()
    with current.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == \
                head(current)
        db.session.remove()


def rewrite(archive: Path, target: Path, manifest=None, dump=None) -> Path:
    """A copy of ``archive`` with its manifest changed by ``manifest(dict)`` or its dump's
    bytes by ``dump(bytes)``."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    data = json.loads(members["manifest.json"])
    if manifest:
        old_dump = data["dump"]
        manifest(data)
        members["manifest.json"] = json.dumps(data).encode()
        members[data["dump"]] = members.pop(old_dump)  # a renamed dump keeps its bytes
    if dump:
        members[data["dump"]] = dump(members[data["dump"]])
    with tarfile.open(target, "w") as tar:
        for name, raw in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return target


def test_what_restore_refuses(seeded, tmp_path):
    from portal.extensions import db

    app, _ids = seeded("refusals")
    archive = tmp_path / "good.tar"
    assert run(app, "create", str(archive)).exit_code == 0
    other_kind = "sqlite" if _kind(app) == "postgresql" else "postgresql"

    def newer(m):
        m["revision"] = "zz_9999"

    def kind(m):
        m["database"], m["dump"] = other_kind, backup.DUMPS[other_kind]

    def flip(raw):
        return raw[:-10] + bytes(b ^ 0xFF for b in raw[-10:])

    not_tar = tmp_path / "not.tar"
    not_tar.write_bytes(b"\x00garbage" * 100)
    cases = {
        rewrite(archive, tmp_path / "newer.tar", manifest=newer): "newer than this code",
        rewrite(archive, tmp_path / "kind.tar", manifest=kind): f"holds a {other_kind} database",
        rewrite(archive, tmp_path / "flipped.tar", dump=flip): "SHA-256",
        rewrite(archive, tmp_path / "nocounts.tar", manifest=lambda m: m.update(tables=[1])):
            "row counts",
        not_tar: "not a readable archive",
        tmp_path / "missing.tar": "no file",
    }
    before = counts(app)
    for path, message in cases.items():
        result = run(app, "restore", "--force", str(path))
        assert result.exit_code == 1, (path, result.output)
        assert "restore refused or failed" in result.stderr and message in result.stderr, result.stderr
        assert counts(app) == before
    result = run(app, "create", str(archive))  # never over an existing file
    assert result.exit_code == 1 and "already exists" in result.stderr
    result = run(app, "create", str(tmp_path / "no-such-folder" / "b.tar"))
    assert result.exit_code == 1 and "no folder" in result.stderr
    with app.app_context():
        db.session.remove()


@pytest.mark.sqlite_only
def test_an_sqlite_backup_while_another_connection_writes_is_consistent(portal, tmp_path):
    """A writer commits pairs of rows (an audit event and an outbox message) in a loop while
    backups are taken: every copy holds whole transactions, and its manifest counts match."""
    from portal.extensions import db

    app = portal("busy")
    with app.app_context():
        path = db.engine.url.database
    stop, committed = threading.Event(), threading.Event()
    written = []

    def writer():
        connection = sqlite3.connect(path, timeout=30)
        try:
            while not stop.is_set():
                with connection:
                    connection.execute("BEGIN IMMEDIATE")
                    connection.execute(
                        "INSERT INTO audit_event (action, target_type, details, created_at) "
                        "VALUES ('busy', 'test', '{}', CURRENT_TIMESTAMP)")
                    connection.execute(
                        "INSERT INTO outbox_message (kind, recipient, subject, body, locale, "
                        "created_at, attempts, next_attempt_at) VALUES ('email', 'a@example.org', "
                        "'s', 'b', 'en', CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP)")
                written.append(1)
                committed.set()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert committed.wait(30)
        manifests = []
        for i in range(3):
            archive = tmp_path / f"busy-{i}.tar"
            result = run(app, "create", str(archive))
            assert result.exit_code == 0, result.output + result.stderr
            with tarfile.open(archive) as tar:
                manifest = json.loads(tar.extractfile("manifest.json").read())
                tar.extract("database.sqlite", tmp_path / f"copy-{i}", filter="data")
            copy = sqlite3.connect(tmp_path / f"copy-{i}" / "database.sqlite")
            try:
                assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                events = copy.execute("SELECT count(*) FROM audit_event").fetchone()[0]
                messages = copy.execute("SELECT count(*) FROM outbox_message").fetchone()[0]
            finally:
                copy.close()
            assert events == messages == manifest["tables"]["audit_event"] \
                == manifest["tables"]["outbox_message"]
            manifests.append(events)
    finally:
        stop.set()
        thread.join()
    assert manifests == sorted(manifests) and manifests[0] >= 1
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == len(written)


@pytest.mark.postgres_only
def test_the_password_travels_in_the_environment(portal, tmp_path, monkeypatch):
    """pg_dump and pg_restore get the URL's password as PGPASSWORD, never as an argument (the
    test cluster trusts every connection, so any password works)."""
    from sqlalchemy.engine import make_url

    from portal.extensions import db

    app = portal("password")
    with app.app_context():
        url = make_url(db.engine.url).set(password="s3cret-Pa55")
        db.session.remove()
    calls = []
    real_run = subprocess.run

    def spy(args, **kwargs):
        calls.append((list(args), kwargs.get("env") or {}))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", spy)
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with app.app_context():
            manifest = backup.create(engine, tmp_path / "pw.tar")
            backup.restore(app, engine, tmp_path / "pw.tar", force=True)
    finally:
        engine.dispose()
    assert [Path(args[0]).name for args, _env in calls] == ["pg_dump", "pg_restore"]
    for args, env in calls:
        assert not any("s3cret" in a for a in args), args
        assert env["PGPASSWORD"] == "s3cret-Pa55" and env["PGDATABASE"] == url.database
    assert manifest.database == "postgresql"


def test_create_names_the_archive_by_its_time_when_no_path_is_given(portal, tmp_path, monkeypatch):
    app = portal("default_path")
    monkeypatch.chdir(tmp_path)
    result = run(app, "create")
    assert result.exit_code == 0, result.output + result.stderr
    made = list(tmp_path.glob("portal-backup-*Z.tar"))
    assert len(made) == 1 and f"to {made[0].name}" in result.output
    with tarfile.open(made[0]) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["revision"] == head(app) and manifest["tables"]["user_account"] == 0
    assert not list(tmp_path.glob(".portal-backup-*"))  # no work folder left behind
