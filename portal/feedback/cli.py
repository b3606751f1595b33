"""``flask --app portal verify-request CODE``: check a request's hash-chained timeline."""

from __future__ import annotations

import click
from flask import Flask


def init_cli(app: Flask) -> None:
    @app.cli.command("verify-request")
    @click.argument("code")
    def verify_request(code: str) -> None:
        """Recompute every event's hash and its link to the one before.

        Prints OK, or the first event that does not match; exits 1 when the chain is broken
        and 2 when there is no such request.
        """
        from portal.core.errors import NotFound
        from portal.extensions import db
        from portal.feedback import services

        try:
            item = services.by_code(db.session, code, public=False)
        except NotFound:
            click.echo(f"No request with the tracking code {code}.", err=True)
            raise SystemExit(2) from None
        result = services.verify(db.session, item)
        if result.ok:
            click.echo(f"OK: {item.tracking_code}: all {result.events} events match; the chain is intact.")
            return
        click.echo(f"BROKEN: {item.tracking_code}: event {result.broken_at} of {result.events} does not "
                   "match its hash or does not link to the event before it.")
        raise SystemExit(1)
