"""`sourcing crawl talks`: the conference talk spiders (pretalx, frab, PyVideo, proceedings)."""

from __future__ import annotations

from typing import List, Optional

import typer

ORDER = 13


def crawl_talks(
    ctx: typer.Context,
    spider: Optional[str] = typer.Option(
        None, "--spider", metavar="NAME", help="Only this spider: pretalx, frab, pyvideo or proceedings."
    ),
    url: Optional[List[str]] = typer.Option(
        None, "--url", metavar="URL",
        help="Crawl this site instead of the configured ones (repeatable). A URL of the offline world "
        "(http://127.0.0.1:PORT/sites/<host>/<path>) is crawled as the real site it mirrors.",
    ),
    mirror: Optional[str] = typer.Option(
        None, "--mirror", metavar="URL",
        help="Fetch every site from this mirror, e.g. the offline world's http://127.0.0.1:PORT/sites/.",
    ),
    timeout: Optional[float] = typer.Option(None, "--timeout", metavar="SECONDS", help="Stop the crawl after this long."),
) -> None:
    """Crawl conference talks and proceedings: events, talks, speakers (with the links in their
    bios) and papers with their authors. Runs Scrapy in a child process and records a Run.

    Example: sourcing crawl talks --spider pyvideo --url https://pyvideo.org/events/scipy-2023.html
    """
    from rich.markup import escape
    from rich.table import Table

    from sourcing.cli import console, fail, state
    from sourcing.runs import record_run
    from spiders.runner import SPIDERS, CrawlError, crawl, plan_sites

    if spider is not None and spider not in SPIDERS:
        fail(f"unknown spider '{spider}' (known: {', '.join(SPIDERS)})", code=2)
    if mirror is not None and not mirror.startswith(("http://", "https://")):
        fail(f"--mirror must be an http(s) URL, not '{mirror}'", code=2)
    st = state(ctx)
    config = st.config
    try:
        jobs, found = plan_sites(config, spider, url)
    except CrawlError as exc:
        fail(str(exc), code=2)
    if not jobs:
        fail("no talk sites to crawl: give --url or list them under [[talks.sites]] in the config", code=2)
    engine = st.engine()
    where = mirror or found
    console.print(
        f"talks: {len(jobs)} site(s){' from the mirror ' + where if where else ''}; Scrapy runs in a child process",
        highlight=False,
    )

    def on_progress(ev: dict) -> None:
        if ev.get("event") == "site_done":
            for site in ev.get("sites") or []:
                console.print(f"  [green]done[/] {ev['spider']:<11} {escape(site)}  ({ev.get('items', 0):,} items, {ev.get('reason')})")

    with record_run(engine, "crawl", trigger="cli") as run:
        with run.step("talks") as step:
            with console.status("crawling talk sites…"):
                result = crawl(config, config.database.url, spider=spider, urls=url, child=True, mirror=mirror,
                               progress=on_progress, timeout=timeout)
            step.counts = {"pages": result.get("pages", 0), **result.get("totals", {}),
                           "seconds": result.get("elapsed"), "exit_code": result.get("exit_code")}
            for w in result.get("warnings", []) + result.get("errors", []):
                step.warn(w)
            if result["status"] == "failed":
                raise RuntimeError(f"talk crawl failed: {'; '.join(result.get('errors', [])[:3])}")

    table = Table(title=f"talk crawl — run {run.id}", title_justify="left")
    for col, just in [("spider", "left"), ("site", "left"), ("talks", "right"), ("speakers", "right"),
                      ("papers", "right"), ("authors", "right"), ("pages", "right"), ("status", "left")]:
        table.add_column(col, justify=just)
    for s in result.get("sites", []):
        it = s.get("items", {})
        status = (f"[red]{escape(s['errors'][0].split(': ', 1)[-1])}[/]" if s.get("errors")
                  else f"[yellow]{len(s['warnings'])} warning(s)[/]" if s.get("warnings") else "[green]ok[/]")
        table.add_row(s["spider"], escape(s["url"]), f"{it.get('talk', 0):,}", f"{it.get('speaker', 0):,}",
                      f"{it.get('paper', 0):,}", f"{it.get('author', 0):,}", f"{s.get('pages', 0):,}", status)
    console.print(table)
    pages, secs = result.get("pages", 0), result.get("elapsed") or 0
    console.print(
        f"{pages:,} pages in {secs:.1f}s ({pages / secs if secs else 0:.0f} pages/s); status {result['status']}",
        highlight=False,
    )
    for w in (result.get("warnings", []) + result.get("errors", []))[:10]:
        console.print(f"[yellow]warning[/] {escape(w)}", highlight=False)
    if result["status"] != "ok":
        raise typer.Exit(1 if result["status"] == "partial" else 3)


def register(app: typer.Typer) -> None:
    from sourcing.commands.crawl import crawl_app

    crawl_app.command("talks")(crawl_talks)
