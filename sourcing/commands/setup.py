"""`sourcing init` and `sourcing db ...`: write a config, show and upgrade the database schema."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

ORDER = 0

db_app = typer.Typer(help="Database schema and contents.\n\nExample: sourcing db status", no_args_is_help=True)


def init(
    ctx: typer.Context,
    path: Path = typer.Argument(Path("sourcing.toml"), help="Where to write the example config."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented example config file.

    Example: sourcing init && sourcing db status
    """
    from sourcing.cli import console, fail
    from sourcing.config import example_text

    if path.exists() and not force:
        fail(f"{path} already exists (use --force to overwrite it)", code=2)
    path.write_text(example_text(), encoding="utf-8")
    console.print(f"wrote {path}: edit it, then run [bold]sourcing --config {path} db status[/]")


def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {schema_version, tables}."),
) -> None:
    """Show the schema version and the row count of every table.

    Example: sourcing db status --json
    """
    from sourcing.cli import console, state
    from storage import schema_status

    st = state(ctx)
    info = schema_status(st.engine())
    if as_json:
        typer.echo(json.dumps(info, sort_keys=True))
        return
    table = Table(title=f"{st.config.database.url} — schema {info['schema_version']}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in info["tables"].items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


def upgrade(ctx: typer.Context) -> None:
    """Upgrade the database schema to this version of sourcing (every command also does it).

    Example: sourcing --db sqlite:///old.db db upgrade
    """
    from sourcing.cli import console, state
    from storage.schema import head_revision

    state(ctx).engine()
    console.print(f"database is at schema {head_revision()}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    db_app.command()(status)
    db_app.command()(upgrade)
    app.add_typer(db_app, name="db")
