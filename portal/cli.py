"""Commands: ``flask --app portal seed`` loads the demo city; ``translate`` keeps catalogs."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask

from portal.config import ROOT

# How strings are extracted: ``translate update`` and the catalog tests use the same.
EXTRACT = ["extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
           "-k", "lazy_pgettext:1c,2", "--no-location", "--sort-output"]


def init_cli(app: Flask) -> None:
    @app.cli.command("seed")
    def seed_command():
        """Load the demo city (idempotent: existing rows are kept)."""
        from flask import current_app

        from portal.extensions import db
        from portal.seed import seed

        # Mail written while seeding links to the portal's public address.
        with current_app.test_request_context(base_url=current_app.config["PORTAL_BASE_URL"]):
            created = seed(db.session)
        click.echo(f"Demo data ready ({created} new records).")

    @app.cli.command("demo-accounts")
    def demo_accounts_command():
        """Print the demo accounts."""
        from portal.seed import demo_accounts

        click.echo(demo_accounts())

    @app.cli.command("health")
    @click.argument("part", type=click.Choice(["web", "worker", "beat"]))
    @click.option("--url", default="http://127.0.0.1:8000/healthz/web", show_default=True,
                  help="web: the address of this node's web server")
    def health_command(part, url):
        """Exit 0 when PART is healthy, 1 otherwise: for container and systemd health checks.

        worker/beat: its heartbeat is younger than HEALTH_WORKER_MINUTES (read from the
        database, so it can run on any machine); web: the web server at --url answers 200."""
        from datetime import datetime, timedelta
        from urllib.parse import urlsplit
        from urllib.request import Request, urlopen

        from flask import current_app

        from portal.core import heartbeat
        from portal.extensions import db

        if part == "web":
            if urlsplit(url).scheme not in ("http", "https"):
                raise click.BadParameter("an http:// or https:// address", param_hint="--url")
            # The portal answers only for its own host name (TRUSTED_HOSTS).
            host = urlsplit(current_app.config["PORTAL_BASE_URL"]).netloc
            try:
                # http(s) only, checked above
                with urlopen(Request(url, headers={"Host": host}), timeout=10) as answer:  # noqa: S310  # nosec B310
                    healthy, said = answer.status == 200, f"{answer.status}"
            except OSError as error:  # URLError, HTTPError (a 503), a timeout
                healthy, said = False, str(getattr(error, "code", None) or getattr(error, "reason", error))
            click.echo(f"web {'ok' if healthy else 'unhealthy'}: {url} {said}")
        else:
            minutes = float(current_app.config.get("HEALTH_WORKER_MINUTES", 5)) or 5
            state = heartbeat.status(db.session, part, datetime.min, timedelta(minutes=minutes))
            healthy = state.state == "ok"
            seen = state.seen_at.isoformat() + "Z" if state.seen_at else "never"
            click.echo(f"{part} {state.state} (last seen {seen})")
        raise SystemExit(0 if healthy else 1)

    @app.cli.group()
    def translate():
        """Translation catalogs: extract, update, compile."""

    def pybabel(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)  # noqa: S603

    @translate.command("update")
    def translate_update():
        """Extract strings to messages.pot and merge them into every catalog."""
        pybabel("-q", *EXTRACT, "-o", "translations/messages.pot", ".")
        pybabel("-q", "update", "-i", "translations/messages.pot", "-d", "translations",
                "--no-fuzzy-matching", "--ignore-obsolete")

    @translate.command("compile")
    def translate_compile():
        """Compile every catalog to .mo."""
        pybabel("compile", "-d", "translations", "--statistics")  # fails on a broken catalog
