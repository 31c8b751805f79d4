"""`sourcing crawl ...`: the group each collector's command module adds its subcommand to."""

from __future__ import annotations

import typer

ORDER = 10

crawl_app = typer.Typer(
    help="Collect public signals from one source into the database.\n\nExample: sourcing crawl github --repo apache/airflow",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(crawl_app, name="crawl")
