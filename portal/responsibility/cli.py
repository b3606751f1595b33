"""``flask --app portal areas import-boundaries FILE [--property code] [--dry-run]``.

The same reading, checks and import as the administrators' page (``boundaries``), for a
city's GIS staff to script: it prints what changes and every error, and exits with status 1
when the file has errors (nothing is imported then).
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_cli(app: Flask) -> None:
    app.cli.add_command(areas)


@click.group("areas")
def areas():
    """Areas: import their boundaries."""


@areas.command("import-boundaries")
@click.argument("file", type=click.File("rb"))
@click.option("--property", "code_property", default="code", show_default=True,
              help="The feature property that holds the area code.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; import nothing.")
@with_appcontext
def import_boundaries(file, code_property: str, dry_run: bool):
    """Import area boundaries from a GeoJSON FeatureCollection FILE (one feature per area)."""
    from portal.core.errors import Invalid
    from portal.extensions import db
    from portal.responsibility import boundaries

    limits = boundaries.Limits.from_config(current_app.config)
    data = file.read(limits.max_bytes + 1)
    name = getattr(file, "name", "") or "stdin"
    source = name.rsplit("/", 1)[-1]
    try:
        result = boundaries.import_file(db.session, None, data, source, code_property, limits,
                                        dry_run=dry_run)
    except Invalid as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    for change in result.changes:
        line = f"{change.status:9} {change.area.code}  {change.km2:.3f} km²"
        if change.status == "changed":
            line += f" ({change.delta_km2:+.3f} km²)"
        click.echo(line)
    for n, code in result.unknown:
        click.echo(f"skipped   feature {n}: {code} is not an area")
    if result.errors:
        db.session.rollback()
        for message in result.errors:
            click.echo(f"error     {message}", err=True)
        raise click.ClickException(f"{len(result.errors)} error(s): nothing imported.")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing imported.")
        return
    db.session.commit()
    click.echo(f"Imported: {result.count('new')} new, {result.count('changed')} changed, "
               f"{result.count('unchanged')} unchanged.")
