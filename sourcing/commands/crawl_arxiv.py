"""`sourcing crawl arxiv`: papers, their author slots and code links from the arXiv API, recorded as a Run."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import List, Optional

import typer

ORDER = 12


def parse_since(value: Optional[str]) -> Optional[datetime]:
    """"2025-01-31" or an ISO date-time ("2025-01-31T08:00", "...Z", "...+02:00") as UTC."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since takes a date like 2025-01-31 (or 2025-01-31T08:00), not '{value}'") from None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def crawl_arxiv(
    ctx: typer.Context,
    query: Optional[List[str]] = typer.Option(
        None, "--query", "-q", metavar="Q", help="An arXiv query (repeatable), e.g. 'cat:cs.LG' or 'abs:\"feature store\"'. Default: the config's queries."
    ),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="DATE", help="Read papers submitted since DATE (YYYY-MM-DD), instead of resuming from each query's cursor."
    ),
    api_url: Optional[str] = typer.Option(
        None, "--api-url", metavar="URL", help="arXiv API query URL (default: the config's; e.g. the offline world's http://127.0.0.1:PORT/api/query)."
    ),
    delay: Optional[float] = typer.Option(
        None, "--delay", metavar="SECONDS", min=0, help="Seconds between requests (default: the config's; 0 for an API on this machine)."
    ),
) -> None:
    """Collect ML papers, their authors and the code they link to from the arXiv API.

    Each query resumes from its cursor (the newest submission date it stored) unless --since is given; a query that fails is recorded on the run and the others carry on.

    Example: sourcing crawl arxiv --query cat:cs.LG --since 2025-06-01
    """
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sourcing.cli import console, fail, state
    from sourcing.runs import record_run
    from sourcing.sources.arxiv import crawl, is_local

    try:
        since_dt = parse_since(since)
    except ValueError as exc:
        fail(str(exc), code=2)
    if api_url is not None and not api_url.startswith(("http://", "https://")):
        fail(f"--api-url must be an http(s) URL, not '{api_url}'", code=2)
    st = state(ctx)
    config, engine = st.config, st.engine()
    queries = [q for q in (query or config.arxiv.queries) if q.strip()]
    if not queries:
        fail("no arXiv queries: give --query or list them under [arxiv] queries in the config", code=2)
    url = api_url or config.arxiv.api_url
    wait = delay if delay is not None else (0.0 if is_local(url) else config.arxiv.delay_seconds)
    console.print(
        f"arXiv: {len(queries)} quer{'y' if len(queries) == 1 else 'ies'} at {url}, "
        f"{wait:g}s between requests{', since ' + since_dt.date().isoformat() if since_dt else ''}",
        highlight=False,
    )

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[papers]:>7,} papers  {task.fields[pages]:>5,} pages  {task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def on_progress(p) -> None:
        if p.query not in tasks:
            tasks[p.query] = progress.add_task(escape(p.query[:40]), total=None, papers=0, pages=0, status="")
        status = "[red]failed[/]" if p.error else ("[green]done[/]" if p.done else "")
        total = p.total if p.total is not None else None
        progress.update(
            tasks[p.query], papers=p.papers, pages=p.pages, status=status,
            completed=p.seen, total=(max(total, p.seen) if total is not None else None),
        )
        if p.done and tasks.get(p.query) is not None:
            progress.update(tasks[p.query], total=max(p.seen, 1), completed=max(p.seen, 1))

    with record_run(engine, "crawl", trigger="cli") as run, progress:
        stats = crawl(
            engine, config, queries=queries, since=since_dt, api_url=url, progress=on_progress,
            recorder=run, delay_seconds=delay,
        )
        run.counts = {"source": "arxiv", **stats.as_dict()}

    _summary(console, stats, run.id)
    if stats.failed:
        raise typer.Exit(1 if len(stats.failed) < len(stats.queries) else 3)


def _summary(console, stats, run_id: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"arXiv crawl — run {run_id}", title_justify="left")
    for col, just in [("query", "left"), ("papers", "right"), ("pages", "right"), ("requests", "right"), ("windows", "right"), ("status", "left")]:
        table.add_column(col, justify=just)
    for q in stats.queries:
        status = f"[red]failed: {escape(q.error)}[/]" if q.error else ("[yellow]%d warning(s)[/]" % len(q.problems) if q.problems else "[green]ok[/]")
        table.add_row(escape(q.query), f"{q.papers:,}", f"{q.pages:,}", f"{q.requests:,}", f"{q.windows:,}", status)
    console.print(table)
    new = stats.new
    per_request = stats.papers / stats.requests if stats.requests else 0.0
    console.print(
        f"{stats.papers:,} papers read in {stats.requests:,} requests ({per_request:.1f} per request, "
        f"{stats.seconds:.1f}s); new: {new.get('paper', 0):,} papers, {new.get('identity', 0):,} author slots, "
        f"{new.get('papercode', 0):,} code links, {new.get('repo', 0):,} repos",
        highlight=False,
    )
    warnings = [f"{p.where}: {p.message}" for p in stats.problems if not p.fatal]
    for w in warnings[:10]:
        console.print(f"[yellow]warning[/] {escape(w)}", highlight=False, markup=True)
    if len(warnings) > 10:
        console.print(f"[yellow]… and {len(warnings) - 10} more warning(s)[/]: sourcing runs show {run_id}")
    if stats.failed:
        console.print(
            f"[red]{len(stats.failed)} of {len(stats.queries)} queries failed[/]; their cursors did not move. "
            f"Details: sourcing runs show {run_id}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    from sourcing.commands.crawl import crawl_app

    crawl_app.command("arxiv")(crawl_arxiv)
