"""`sourcing forget`: delete a person on request and keep them out of every later crawl."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

ORDER = 56


def forget(
    ctx: typer.Context,
    person: Optional[str] = typer.Argument(None, metavar="PERSON", help="Person id or GitHub login."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    list_: bool = typer.Option(False, "--list", help="List stored suppressions (never who they were)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Forget a person who asked for it, for good; or list suppressions.

    Deletes their identities, activities, authorships, talks, scores, leads and review, and keeps
    only salted hashes of their logins, emails and name with links, which every later crawl
    checks before storing anything. It cannot be undone.

    Example: sourcing forget octocat --yes
    """
    from rich.markup import escape

    from sourcing.cli import console, fail, state
    from sourcing.forget import forget as forget_person
    from sourcing.forget import list_suppressions
    from sourcing.review import resolve_person
    from sourcing.runs import record_run
    from storage.models import Person

    engine = state(ctx).engine()
    if list_:
        if person:
            fail("--list takes no PERSON", code=2)
        rows = list_suppressions(engine)
        if as_json:
            typer.echo(json.dumps(rows, default=str))
            return
        if not rows:
            console.print("no suppressions: nobody has been forgotten")
            return
        from rich.table import Table

        table = Table(title=f"suppressions: {len(rows)} forgotten", title_justify="left")
        for col in ("ref", "forgotten on", "hashed keys"):
            table.add_column(col)
        for r in rows:
            keys = ", ".join(f"{n} {k}" for k, n in sorted(r["keys"].items()))
            table.add_row(r["ref"], f"{r['created_at']:%Y-%m-%d %H:%M}" if r["created_at"] else "", keys)
        console.print(table)
        return
    if not person:
        fail("say who: sourcing forget PERSON (or --list)", code=2)
    try:
        pid = resolve_person(engine, person)
    except LookupError as exc:
        fail(str(exc), code=2)
    with engine.connect() as conn:
        p = conn.execute(Person.__table__.select().where(Person.__table__.c.id == pid)).first()
    label = f"person {pid} ({p.display_name or '?'}{', @' + p.github_login if p.github_login else ''})"
    if not yes:
        if not sys.stdin.isatty():
            fail(f"not forgetting {label} without confirmation: pass --yes", code=2)
        if not typer.confirm(f"Forget {label}? Everything stored about them is deleted; this cannot be undone"):
            fail("nothing forgotten", code=1)
    # the run records counts only: run history must not say who was forgotten
    with record_run(engine, kind="forget", trigger="cli") as run:
        with run.step("forget", reraise=True) as step:
            counts = forget_person(engine, pid)
            step.counts = counts
    if as_json:
        typer.echo(json.dumps(counts))
        return
    deleted = ", ".join(f"{n} {t}" for t, n in counts.items() if t != "suppression_keys")
    console.print(f"forgot {escape(label)}: deleted {deleted}; stored {counts['suppression_keys']} hashed keys")


def register(app: typer.Typer) -> None:
    app.command()(forget)
