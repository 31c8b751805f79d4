"""`sourcing fit`: rank people for a job description by their demonstrated work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

ORDER = 45


def fit_cmd(
    ctx: typer.Context,
    description: str = typer.Option(..., "--description", "-d", help="A job description: a file path or the text itself."),
    role: Optional[str] = typer.Option(None, "--role", help="Weigh this role's score (a taxonomy role key)."),
    location: Optional[str] = typer.Option(None, "--location", help='Location pattern, e.g. "Berlin|remote".'),
    top: int = typer.Option(25, "--top", min=1, max=1000, help="How many people to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    reindex: bool = typer.Option(False, "--reindex", help="Update the work text index first (the nightly run does this)."),
) -> None:
    """Rank people whose merged PRs, repos, papers and talks match a job description.

    Example: sourcing fit --description "streaming feature pipelines on Kafka and Flink, models behind FastAPI" --top 10
    """
    from sourcing.cli import console, fail, state
    from sourcing.fit import FitError, fit
    from sourcing.fit import reindex as do_reindex

    st = state(ctx)
    path = Path(description)
    try:
        is_file = len(description) < 1024 and path.is_file()
    except OSError:
        is_file = False
    text = path.read_text(encoding="utf-8", errors="replace") if is_file else description
    engine = st.engine()
    if reindex:
        counts = do_reindex(engine)
        if not as_json:
            console.print(f"work index updated: {counts}")
    try:
        out = fit(engine, text, st.config.load_taxonomy(), role=role, location=location, top=top)
    except FitError as exc:
        fail(str(exc), code=2)
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    u = out["understood"]
    console.print(
        f"recognised skills: [bold]{', '.join(u['skills']) or '—'}[/]; roles: {', '.join(u['roles']) or '—'}; "
        f"other terms: {', '.join(u['terms'][:12]) or '—'}",
        highlight=False,
    )
    table = Table(show_lines=False)
    for col in ("#", "name", "github", "location", "fit", "matched work"):
        table.add_column(col, overflow="fold")
    for r in out["results"]:
        why = "; ".join(w["text"] for w in r["why"][:2]) or "capability scores only"
        table.add_row(str(r["rank"]), r["name"] or "", r["github"] or "", r["location"] or "", f"{r['score']:.1f}", why)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("fit")(fit_cmd)
