"""`sourcing review`: record a decision (status, note) on a person, or list decisions."""

from __future__ import annotations

import json
from typing import Optional

import typer

ORDER = 52


def review(
    ctx: typer.Context,
    person: Optional[str] = typer.Argument(
        None, metavar="PERSON", help="Person id or GitHub login; leave out to list reviewed people."
    ),
    status: Optional[str] = typer.Option(
        None, "--status", help="new | shortlisted | contacted | rejected | hired (with no PERSON: list only these)."
    ),
    note: Optional[str] = typer.Option(None, "--note", metavar="TEXT", help="Add a dated note line."),
    reviewer: Optional[str] = typer.Option(
        None, "--reviewer", envvar="SOURCING_REVIEWER", help="Who decides (default: $SOURCING_REVIEWER)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record a decision (status, note) on a person, or list decisions.

    A review belongs to the person: it stays across nightly runs and identity merges. Rejected
    people leave every lead list; contacted ones are marked. PERSON is an id or a GitHub login.

    Example: sourcing review octocat --status shortlisted --note "strong Airflow reviews"
    """
    from rich.markup import escape
    from rich.table import Table

    from sourcing.cli import console, fail, state
    from sourcing.review import STATUSES, get_review, list_reviews, resolve_person, set_status

    if status is not None and status not in STATUSES:
        fail(f"unknown status '{status}' (one of {', '.join(STATUSES)})", code=2)
    engine = state(ctx).engine()
    if person is None:
        if note:
            fail("--note needs a PERSON", code=2)
        rows = list_reviews(engine, status)
        if as_json:
            typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=1))
            return
        table = Table(title=f"reviews{f' ({status})' if status else ''}: {len(rows)}", title_justify="left")
        for col in ("person", "name", "status", "updated", "last note"):
            table.add_column(col, overflow="fold")
        for r in rows:
            last = (r["note"] or "").splitlines()[-1:] or [""]
            when = f"{r['updated_at']:%Y-%m-%d}" if r["updated_at"] else ""
            table.add_row(str(r["person_id"]), escape(r["name"] or ""), r["status"], when, escape(last[0]))
        console.print(table)
        return
    try:
        pid = resolve_person(engine, person)
    except LookupError as exc:
        fail(str(exc), code=2)
    if status is None and note is None:
        result = get_review(engine, pid)
    else:
        result = set_status(engine, pid, status, note=note, reviewer=reviewer)
    if as_json:
        typer.echo(json.dumps(result, default=str, ensure_ascii=False))
        return
    console.print(f"person {pid}: [bold]{result['status']}[/]")
    if result["note"]:
        console.print(escape(result["note"]), highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(review)
