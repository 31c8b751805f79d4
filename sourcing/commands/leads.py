"""`sourcing leads`: today's ranked list of a saved search, or an ad-hoc search, as a table or JSON."""

from __future__ import annotations

import json
from typing import Optional

import typer

ORDER = 50


def _table(leads: list[dict], title: str):
    from rich.markup import escape
    from rich.table import Table

    # names, bios and evidence are public text: escape them so "[bold]" in a name stays text
    table = Table(title=escape(title), title_justify="left", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("name", overflow="fold", max_width=22)
    table.add_column("handles", overflow="fold", max_width=20)
    table.add_column("location", overflow="fold", max_width=16)
    table.add_column("top skills", overflow="fold", max_width=22)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("flags", overflow="fold", max_width=12)
    table.add_column("why", overflow="ellipsis", no_wrap=True, ratio=1)
    style = {"new": "bold green", "up": "green", "contacted": "yellow", "hired": "cyan"}
    for lead in leads:
        handles = [f"@{lead['github']}"] if lead.get("github") else []
        if lead.get("homepage"):
            handles.append(lead["homepage"].split("://", 1)[-1].rstrip("/"))
        flags = [f for f in lead["flags"] if f != "same"]
        why = (lead.get("why") or "").strip().splitlines()
        table.add_row(
            str(lead["rank"]),
            escape(lead["name"]),
            escape("\n".join(handles)),
            escape(lead.get("location") or ""),
            escape(", ".join(lead["top_skills"])),
            f"{lead['score']:.0f}",
            " ".join(f"[{style[f]}]{f}[/]" if f in style else escape(f) for f in flags),
            escape(why[0]) if why else "",
        )
    return table


def leads(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(None, "--search", "-s", metavar="NAME", help="A saved search from the config."),
    role: Optional[str] = typer.Option(None, "--role", help="Rank by this role's score (e.g. data-engineer)."),
    skill: Optional[list[str]] = typer.Option(
        None, "--skill", help="A required skill (repeat for several: all must be present)."
    ),
    location: Optional[str] = typer.Option(
        None, "--location", metavar="PATTERN", help='Case-insensitive regular expression, e.g. "Berlin|remote".'
    ),
    min_score: Optional[float] = typer.Option(None, "--min-score", min=0, max=100, help="Leave out lower scores."),
    exclude_company: Optional[list[str]] = typer.Option(None, "--exclude-company", help="Leave out a company."),
    status: Optional[str] = typer.Option(
        None, "--status", help="Only people with this review status ('any' includes rejected people)."
    ),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="How many leads (default: the search's size, 25)."),
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON for scripts."),
    refresh: bool = typer.Option(
        False, "--refresh", help="Rank and store today's list for every saved search (what the nightly run does)."
    ),
) -> None:
    """Show ranked leads: a saved search's stored list, or an ad-hoc search.

    With --search NAME alone: the latest list the nightly run (or --refresh) stored, each lead
    flagged new / up / same against the list before it. With --role / --skill / --location ...:
    a ranking over the stored scores now. Rejected people never appear; contacted ones are marked.

    Example: sourcing leads --role data-engineer --skill airflow --skill kafka --location "Berlin|remote" --top 25
    """
    from sourcing.cli import console, err_console, fail, state
    from sourcing.config import ConfigError
    from sourcing.leads import Search, SearchError, build_lead_lists, find_leads, latest_list, list_info, validate
    from sourcing.review import STATUSES

    st = state(ctx)
    cfg = st.config
    tax = cfg.load_taxonomy()
    if status is not None and status not in (*STATUSES, "any"):
        fail(f"unknown status '{status}' (one of {', '.join(STATUSES)}, any)", code=2)
    if refresh:
        _refresh(st, cfg, tax, build_lead_lists, console, fail)
        if not search:
            return
    try:
        saved = cfg.search(search) if search else None
    except ConfigError as exc:
        fail(str(exc), code=2)
    adhoc = {
        k: v
        for k, v in {
            "role": role,
            "skills": tuple(skill) if skill else None,
            "location": location,
            "min_score": min_score,
            "exclude_companies": tuple(exclude_company) if exclude_company else None,
        }.items()
        if v is not None
    }
    base = Search.of(saved) if saved else Search()
    query = Search(**{**base.params(), **adhoc, "skills": adhoc.get("skills", base.skills),
                      "exclude_companies": adhoc.get("exclude_companies", base.exclude_companies)})
    try:
        validate(query, tax)
    except SearchError as exc:
        fail(str(exc), code=2)
    engine = st.engine()
    title = None
    rows: list[dict] = []
    if saved and not adhoc:
        rows = latest_list(engine, saved.name, taxonomy=tax, status=status, limit=top)
        info = list_info(engine, saved.name)
        if info:
            when = info["created_at"]
            title = f"{saved.name} — list of {when:%Y-%m-%d %H:%M}" + (f" (run {info['run_id']})" if info["run_id"] else "")
        else:
            err_console.print(
                f"no stored list for '{saved.name}' yet: ranked now "
                "(`sourcing leads --refresh` or the nightly run stores one, with new/up flags)"
            )
    if title is None:
        rows = find_leads(engine, query, taxonomy=tax, limit=top or query.size, status=status)
        title = f"{query.name if saved else 'leads'} — ranked by {query.basis}"
    if as_json:
        typer.echo(json.dumps([{k: v for k, v in r.items() if k != "score_id"} for r in rows], default=str,
                              ensure_ascii=False, indent=1))
        return
    if not rows:
        console.print(f"{title}: nobody matches (are scores computed? `sourcing score`)")
        return
    console.print(_table(rows, title))


def _refresh(st, cfg, tax, build_lead_lists, console, fail) -> None:
    from sourcing.runs import record_run

    if not cfg.searches:
        fail(f"{cfg.source or 'the config'} has no [[searches]] to store lists for", code=2)
    engine = st.engine()
    with record_run(engine, kind="leads", trigger="cli") as run:
        with run.step("leads", reraise=True) as step:
            result = build_lead_lists(engine, cfg, run_id=run.id, taxonomy=tax)
            step.counts = {"lists": result["lists"], "leads": result["leads"],
                           "new": sum(v["new"] for v in result["searches"].values()),
                           "up": sum(v["up"] for v in result["searches"].values())}
    for name, r in result["searches"].items():
        console.print(f"{name}: {r['leads']} leads ({r['new']} new, {r['up']} up) — list {r['list_id']}")


def register(app: typer.Typer) -> None:
    app.command()(leads)
