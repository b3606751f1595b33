"""``flask --app portal open311-key create NAME [--department CODE]``, ``revoke ID``, ``list``.

``init_cli(app)`` adds the commands; ``portal/cli.py`` calls it.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def init_cli(app: Flask) -> None:
    app.cli.add_command(open311_key)


@click.group("open311-key")
def open311_key():
    """Open311 API keys: issue, revoke, list."""


@open311_key.command("create")
@click.argument("name")
@click.option("--department", "department_code", metavar="CODE",
              help="The department whose system uses the key: its requests are routed at once "
                   "and it may update the requests the department leads.")
@with_appcontext
def create_command(name: str, department_code: str | None):
    """Issue a key for NAME and print it (it is shown only once)."""
    from sqlalchemy import select

    from portal.core.errors import Invalid
    from portal.extensions import db
    from portal.feedback.open311 import apikeys
    from portal.responsibility.models import Department

    department = None
    if department_code:
        department = db.session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise click.BadParameter(f"no department has the code {department_code!r}",
                                     param_hint="--department")
    try:
        key, secret = apikeys.create(db.session, None, name, department)
    except Invalid as exc:
        raise click.ClickException(str(exc)) from None
    owner = f" (department {department.code})" if department else ""
    click.echo(f"Key {key.id} for {key.name}{owner}. Copy it now: it is not shown again.")
    click.echo(secret)


@open311_key.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_command(key_id: int):
    """Revoke the key with this ID: it stops working at once."""
    from portal.core.errors import NotFound
    from portal.extensions import db
    from portal.feedback.open311 import apikeys

    try:
        key = apikeys.revoke(db.session, None, key_id)
    except NotFound:
        raise click.ClickException(f"there is no key {key_id}") from None
    click.echo(f"Key {key.id} for {key.name} is revoked.")


@open311_key.command("list")
@with_appcontext
def list_command():
    """List the keys: id, start of the key, status, department, name."""
    from portal.extensions import db
    from portal.feedback.open311 import apikeys

    keys = apikeys.all_keys(db.session)
    if not keys:
        click.echo("No keys.")
    for key in keys:
        status = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        department = key.department.code if key.department else "-"
        click.echo(f"{key.id:>4}  {key.prefix}…  {status:<18}  {department:<16}  {key.name}")
