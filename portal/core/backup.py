"""Backup and restore of the database, uploaded files included (docs/operations.md, "Backups").

Uploaded files (request photos and PDFs, catalog files, lesson images and audio) are blobs in
the database, so one archive holds everything the portal must keep. An archive is a tar file
with two members: ``manifest.json`` (format, time, database kind, schema revision, rows per
table, the dump's name, size and SHA-256) and the dump itself:

* PostgreSQL: ``pg_dump --format=custom`` inside a REPEATABLE READ transaction whose snapshot
  it shares (``--snapshot``), so the row counts are those of the dump; restored with
  ``pg_restore --clean --if-exists --no-owner --single-transaction``. The URL's credentials
  reach both through the environment (``PGPASSWORD`` ...), never the command line.
* SQLite: the online backup API (``sqlite3.Connection.backup``), one step, so the copy is one
  consistent snapshot while the portal goes on writing; restored the same way into the live
  file, so open connections see the restored data, never a half-written file.

Restore refuses an archive of another database kind, one whose revision this code does not
know (a newer release's), one whose dump does not match its hash, and a database holding rows
unless ``force``; afterwards it checks every table's rows against the manifest, empties the
page cache and writes one audit event.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from portal.core import audit

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1024 * 1024  # rows of a few thousand tables, at most
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite"}
PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or a failure, said in words an operator can act on."""


@dataclass
class Manifest:
    database: str  # "postgresql" or "sqlite"
    revision: str | None  # alembic_version of the dumped database
    tables: dict[str, int]  # rows per table, read in the dump's own snapshot
    dump: str
    size: int
    sha256: str
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: int = FORMAT

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            manifest = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the archive's {MANIFEST} is not a portal manifest ({exc})") from None
        if manifest.format != FORMAT or manifest.database not in DUMPS \
                or manifest.dump != DUMPS[manifest.database]:
            raise BackupError(f"the archive's {MANIFEST} has an unknown format or database kind")
        if not isinstance(manifest.tables, dict) or not all(
                isinstance(k, str) and isinstance(v, int) for k, v in manifest.tables.items()):
            raise BackupError(f"the archive's {MANIFEST} has malformed row counts")
        return manifest


# --- what the database holds ----------------------------------------------------------------

def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows in every table of the database (alembic_version included)."""
    return {name: connection.execute(text(
        f"SELECT count(*) FROM {_quoted(connection, name)}")).scalar_one()  # noqa: S608 (a quoted table name)
        for name in sorted(inspect(connection).get_table_names())}


def revision_of(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def holds_rows(connection: Connection) -> bool:
    """Whether any table the portal writes has a row: an empty, migrated database has none
    (only alembic_version and SQLite FTS5's own bookkeeping)."""
    from portal.core.search import is_backend_table

    for name in inspect(connection).get_table_names():
        if name != "alembic_version" and not is_backend_table(name) and connection.execute(
                text(f"SELECT 1 FROM {_quoted(connection, name)} LIMIT 1")).first():  # noqa: S608
            return True
    return False


def known_revisions(app: Flask) -> tuple[set[str], str | None]:
    """Every revision of this code's migrations, and its head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(None))
    return {r.revision for r in script.walk_revisions()}, script.get_current_head()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL -----------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else PostgreSQL 15's folder."""
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in PG_BIN_DIRS if (Path(d) / name).is_file()), None)
    if not found:
        raise BackupError(f"{name} is not installed (looked on PATH and in {', '.join(PG_BIN_DIRS)})")
    return found


def pg_environment(url) -> dict[str, str]:
    """libpq's variables for the URL: the password never shows on a command line."""
    url = make_url(url)
    env = dict(os.environ)  # PGPASSFILE, PGSSLROOTCERT ... still apply; the URL's parts win
    query = {k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()}
    values = {"PGHOST": url.host or query.get("host"), "PGPORT": url.port,
              "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database,
              "PGSSLMODE": query.get("sslmode"), "PGAPPNAME": "portal-backup"}
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {' '.join(message[-3:]) or done.returncode}")


def _dump_postgresql(engine: Engine, target: Path) -> tuple[str | None, dict[str, int]]:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, \
            connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts, revision = table_counts(connection), revision_of(connection)
        _run([pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}",
              f"--file={target}"], pg_environment(engine.url))
    return revision, counts


def _restore_postgresql(engine: Engine, dump: Path, keep: set[str]) -> None:
    # Tables a later migration made are not in the dump: drop them first, as the archive's
    # schema has none and their foreign keys would stop pg_restore --clean from dropping the
    # tables they point at. (Should pg_restore then fail, the database keeps everything else:
    # it restores in one transaction; run the restore again.)
    with engine.begin() as connection:
        extra = set(inspect(connection).get_table_names()) - keep
        quote = connection.dialect.identifier_preparer.quote
        for name in sorted(extra):  # CASCADE: their foreign keys go with them
            connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    engine.dispose()  # our pooled connections would hold locks pg_restore waits for
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-password",
          "--single-transaction", "--exit-on-error", f"--dbname={make_url(engine.url).database}",
          str(dump)], pg_environment(engine.url))


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_path(engine: Engine) -> str:
    path = make_url(engine.url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def _busy_timeout() -> float:
    from portal.core.sqlite import DEFAULT_BUSY_TIMEOUT

    return float(current_app.config.get("SQLITE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))


def _copy_sqlite(source_path: str, target_path: str) -> None:
    """One consistent copy through the online backup API (every page in one step)."""
    source = sqlite3.connect(source_path, timeout=_busy_timeout())
    target = sqlite3.connect(target_path, timeout=_busy_timeout())
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup failed: {exc}") from None
    finally:
        target.close()
        source.close()


def _dump_sqlite(engine: Engine, target: Path) -> tuple[str | None, dict[str, int]]:
    path = _sqlite_path(engine)
    if not Path(path).is_file():
        raise BackupError(f"there is no database at {path}")
    _copy_sqlite(path, str(target))
    from sqlalchemy import create_engine

    copy = create_engine(f"sqlite:///{target}")
    try:
        with copy.connect() as connection:
            return revision_of(connection), table_counts(connection)
    finally:
        copy.dispose()


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    path = _sqlite_path(engine)
    engine.dispose()
    check = sqlite3.connect(dump)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if ok != "ok":
        raise BackupError(f"the archive's SQLite database is damaged: {ok}")
    _copy_sqlite(str(dump), path)


# --- the two commands' work -----------------------------------------------------------------

def default_path() -> Path:
    return Path(f"portal-backup-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.tar")


def create(engine: Engine, path: Path) -> Manifest:
    """Write an archive of the database to ``path`` (which must not exist yet)."""
    kind = engine.dialect.name
    if kind not in DUMPS:
        raise BackupError(f"cannot back up a {kind} database")
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; give another path")
    if not path.parent.is_dir():
        raise BackupError(f"there is no folder {path.parent}")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".portal-backup-") as work:
        dump = Path(work) / DUMPS[kind]
        revision, counts = (_dump_postgresql if kind == "postgresql" else _dump_sqlite)(engine, dump)
        manifest = Manifest(database=kind, revision=revision, tables=counts, dump=dump.name,
                            size=dump.stat().st_size, sha256=_sha256(dump))
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            raw = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(datetime.now(UTC).timestamp()), 0o600
            archive.addfile(info, io.BytesIO(raw))
            archive.add(dump, arcname=dump.name, recursive=False)
        partial.chmod(0o600)  # as confidential as the personal data inside
        partial.rename(path)  # never a half-written archive under the final name
    return manifest


def read_archive(path: Path, into: Path) -> tuple[Manifest, Path]:
    """The manifest, and the dump extracted into ``into`` and checked against its hash."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    try:
        with tarfile.open(path, "r:") as archive:
            members = {m.name: m for m in archive.getmembers()}
            if MANIFEST not in members or not members[MANIFEST].isfile():
                raise BackupError(f"{path} is not a portal backup (no {MANIFEST})")
            if members[MANIFEST].size > MANIFEST_MAX_BYTES:
                raise BackupError(f"the archive's {MANIFEST} is larger than a manifest can be")
            manifest = Manifest.parse(archive.extractfile(members[MANIFEST]).read())
            member = members.get(manifest.dump)
            if member is None or not member.isfile():
                raise BackupError(f"{path} lacks its dump {manifest.dump}")
            dump = into / manifest.dump
            with archive.extractfile(member) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
    except tarfile.TarError as exc:
        raise BackupError(f"{path} is not a readable archive ({exc})") from None
    if dump.stat().st_size != manifest.size or _sha256(dump) != manifest.sha256:
        raise BackupError(f"{path}: the dump does not match the manifest's SHA-256; "
                          "the archive is damaged or was changed")
    return manifest, dump


def restore(app: Flask, engine: Engine, path: Path, force: bool = False) -> Manifest:
    """Replace the database's contents with the archive's; see the module's docstring."""
    kind = engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        manifest, dump = read_archive(path, Path(work))
        if manifest.database != kind:
            raise BackupError(f"the archive holds a {manifest.database} database; this portal "
                              f"runs on {kind}")
        known, head = known_revisions(app)
        if manifest.revision is not None and manifest.revision not in known:
            raise BackupError(f"the archive's schema revision {manifest.revision} is newer than "
                              f"this code (head {head}): restore it with the release that made it")
        with engine.connect() as connection:
            if holds_rows(connection) and not force:
                raise BackupError("the database holds data; restoring replaces all of it: "
                                  "add --force to go on")
        if kind == "postgresql":
            _restore_postgresql(engine, dump, set(manifest.tables))
        else:
            _restore_sqlite(engine, dump)
    with engine.connect() as connection:
        found = table_counts(connection)
    if found != manifest.tables:
        wrong = sorted(t for t in found.keys() | manifest.tables.keys()
                       if found.get(t) != manifest.tables.get(t))
        raise BackupError(f"restored, but rows differ from the manifest in: {', '.join(wrong)}")
    empty_page_cache()
    _audit(manifest, Path(path).name)
    return manifest


def empty_page_cache() -> None:
    """Versions and pages of portal.core.cache: every process then starts new versions, so
    nothing it holds (pages, reference data, signed-in users) outlives the restore."""
    from portal.core.cache import clear_local
    from portal.extensions import cache

    try:
        cache.clear()
    except Exception as exc:  # said, not fatal: pages then live PAGE_CACHE_TIMEOUT at most
        click.echo(f"Warning: could not empty the page cache ({exc}); empty it by hand "
                   "(docs/operations.md, \"The page cache\").", err=True)
    clear_local()


def _audit(manifest: Manifest, name: str) -> None:
    from portal.core.models import AuditEvent
    from portal.extensions import db

    # A Core insert naming only the columns every revision's audit table has: the archive may
    # be older than the code (a column added since, such as subject_id, is not there yet).
    db.session.execute(AuditEvent.__table__.insert().values(
        action="backup.restored", target_type="database", target_id=None,
        details={"archive": name, "taken_at": manifest.created_at, "revision": manifest.revision}))
    db.session.commit()


audit.register_action("backup.restored", _l("Database restored from a backup"))


# --- the command line -----------------------------------------------------------------------

def init_cli(app: Flask) -> None:
    from flask.cli import AppGroup

    group = AppGroup("backup", help="Back up and restore the database and its files (docs/operations.md).")

    @group.command("create")
    @click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
    def create_command(path: Path | None):
        """Write an archive of the database (uploaded files included) to PATH
        (default: portal-backup-<UTC time>.tar here)."""
        from portal.extensions import db

        path = path or default_path()
        try:
            manifest = create(db.engine, path)
        except BackupError as exc:
            raise click.ClickException(f"backup failed: {exc}") from None
        rows = sum(manifest.tables.values())
        click.echo(f"Backed up the {manifest.database} database (revision {manifest.revision}, "
                   f"{len(manifest.tables)} tables, {rows} rows) to {path}.")
        click.echo(f"SHA-256 of the dump: {manifest.sha256}. Keep the archive as confidential as "
                   "the personal data in it.")

    @group.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that holds data.")
    def restore_command(path: Path, force: bool):
        """Replace the database's contents with the archive at PATH."""
        from flask import current_app as app

        from portal.extensions import db

        try:
            manifest = restore(app, db.engine, path, force=force)
        except BackupError as exc:
            raise click.ClickException(f"restore refused or failed: {exc}") from None
        _known, head = known_revisions(app)
        click.echo(f"Restored {path} (taken {manifest.created_at}, revision {manifest.revision}): "
                   f"{len(manifest.tables)} tables match the manifest; the page cache is empty.")
        if manifest.revision != head:
            click.echo(f"The schema is at {manifest.revision}; this code's head is {head}: run "
                       "`flask --app portal db upgrade`.")

    app.cli.add_command(group)
