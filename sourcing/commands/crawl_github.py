"""`sourcing crawl github`: crawl watched repos and their people into the database, as a recorded Run."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import List, Optional

import typer

ORDER = 11


def _parse_since(value: Optional[str]) -> Optional[datetime]:
    from sourcing.cli import fail

    if not value:
        return None
    try:
        d = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--since: '{value}' is not a date (use YYYY-MM-DD)", code=2)
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d.astimezone(timezone.utc)


def crawl_github(
    ctx: typer.Context,
    repo: Optional[List[str]] = typer.Option(
        None, "--repo", metavar="OWNER/NAME", help="Crawl this repository (repeatable); default: the watchlist."
    ),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="DATE", help="Collect pulls and commits since DATE, overriding the stored cursors."
    ),
    api_url: Optional[str] = typer.Option(
        None, "--api-url", metavar="URL", help="GitHub API base URL (default: github.api_url from the config)."
    ),
) -> None:
    """Collect contributions, reviews and profiles from watched GitHub repositories.

    Incremental (cursors and conditional requests), within the configured rate-limit budget;
    problems (unknown or renamed repos, bad answers) are shown and recorded on the run.

    Example: sourcing crawl github --repo apache/airflow --since 2024-01-01
    """
    from rich.live import Live
    from rich.table import Table

    from sourcing.cli import console, fail, state
    from sourcing.runs import record_run
    from sourcing.sources.github import crawl

    st = state(ctx)
    cfg = st.config
    for r in repo or []:
        if r.count("/") != 1 or not all(r.split("/")):
            fail(f"--repo: '{r}' is not an owner/name repository", code=2)
    when = _parse_since(since)
    engine = st.engine()

    def render(p) -> Table:
        t = Table.grid(padding=(0, 2))
        left = "?" if p.budget_left is None else str(p.budget_left)
        line = f"[bold]{p.category}[/] {p.done}/{p.total}  [cyan]{p.repo}[/]  requests here {p.pages}"
        t.add_row(line, f"requests {p.requests} (304: {p.not_modified})  budget left {left}")
        if p.waiting:
            t.add_row(f"[yellow]{p.why}: waiting {p.waiting:.0f} s[/]", "")
        return t

    with Live(console=console, transient=True, refresh_per_second=8) as live:
        with record_run(engine, kind="crawl") as run:
            stats = crawl(
                engine, cfg, repos=list(repo or []) or None, since=when, api_url=api_url,
                progress=lambda p: live.update(render(p)), steps=run.step,
            )
            from sqlalchemy import update

            from storage.models import Run

            with engine.begin() as conn:
                conn.execute(update(Run).where(Run.id == run.id).values(
                    counts={"records": stats.records, **stats.stored, **{f"http_{k}": v for k, v in stats.extra.items()
                                                                         if isinstance(v, (int, float)) and not isinstance(v, bool)}}))

    x = stats.extra
    summary = Table(title="GitHub crawl", show_header=False)
    summary.add_row("records stored", str(stats.records))
    for table, n in sorted(stats.stored.items()):
        summary.add_row(f"  {table}", str(n))
    summary.add_row("requests", f"{x['requests']} ({x['counted_requests']} counted, {x['not_modified']} answered 304)")
    if x.get("retries"):
        summary.add_row("retries", str(x["retries"]))
    summary.add_row("budget left", "unknown" if x["budget_left"] is None else str(x["budget_left"]))
    if x.get("unauthenticated"):
        summary.add_row("auth", "[yellow]unauthenticated (60 requests an hour)[/]")
    console.print(summary)
    shown = 20
    for p in stats.problems[:shown]:
        console.print(f"[yellow]warning[/] {p.where}: {p.message}", highlight=False)
    if len(stats.problems) > shown:
        console.print(f"[yellow]... and {len(stats.problems) - shown} more warnings[/] (all of them: sourcing runs show {run.id})")
    if x.get("stopped"):
        console.print(f"[yellow]stopped early:[/] {x['stopped']}", highlight=False)
        if "token" in x["stopped"]:
            fail(x["stopped"], code=1)


def register(app: typer.Typer) -> None:
    from sourcing.commands.crawl import crawl_app

    crawl_app.command("github")(crawl_github)
