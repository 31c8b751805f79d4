"""`sourcing runs` and `sourcing runs show ID`: run history, for the operator asking what broke."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Optional

import typer

ORDER = 74

runs_app = typer.Typer(
    help="Run history: recent runs, and one run's steps, counts, errors and warnings.\n\nExample: sourcing runs show 12",
    invoke_without_command=True,
)

COLOURS = {"ok": "green", "partial": "yellow", "failed": "red", "interrupted": "magenta", "running": "cyan", "skipped": "dim"}


def _duration(start: Optional[datetime], end: Optional[datetime]) -> Optional[float]:
    if not start:
        return None
    end = end or datetime.now(timezone.utc)
    if start.tzinfo is None:  # SQLite hands back naive datetimes: they were written as UTC
        start = start.replace(tzinfo=timezone.utc)
    if end.tzinfo is None:
        end = end.replace(tzinfo=timezone.utc)
    return (end - start).total_seconds()


def _fmt_duration(sec: Optional[float]) -> str:
    if sec is None:
        return ""
    if sec < 60:
        return f"{sec:.1f}s"
    m, s = divmod(int(sec), 60)
    return f"{m}m{s:02d}s" if m < 60 else f"{m // 60}h{m % 60:02d}m"


def _when(t: Optional[datetime]) -> str:
    if not t:
        return ""
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _iso(t: Optional[datetime]) -> Optional[str]:
    if not t:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).isoformat()


def _counts_text(counts: Optional[dict], limit: int = 8) -> str:
    parts = []
    for k, v in (counts or {}).items():
        if k.startswith("_"):
            continue
        if isinstance(v, dict):
            v = sum(x for x in v.values() if isinstance(x, (int, float)))
        if isinstance(v, (list, tuple)):
            v = len(v)
        parts.append(f"{k}={v}")
    more = f" +{len(parts) - limit}" if len(parts) > limit else ""
    return " ".join(parts[:limit]) + more


def list_runs(engine, limit: int) -> list[dict]:
    from sqlalchemy import select

    from sourcing.runs import reap_dead_runs
    from storage.models import Run, RunStep

    reap_dead_runs(engine)
    rt, st = Run.__table__, RunStep.__table__
    with engine.connect() as conn:
        runs = conn.execute(select(rt).order_by(rt.c.id.desc()).limit(limit)).mappings().all()
        ids = [r["id"] for r in runs]
        steps = conn.execute(
            select(st.c.run_id, st.c.name, st.c.status).where(st.c.run_id.in_(ids)).order_by(st.c.id)
        ).all() if ids else []
    by_run: dict[int, list] = {}
    for run_id, name, status in steps:
        by_run.setdefault(run_id, []).append((name, status))
    return [{**_summary(r), "steps": {n: s for n, s in by_run.get(r["id"], [])}} for r in runs]


def _summary(r) -> dict:
    """What every view of a run shows: who, what, when, how long, how it ended."""
    return {
        "id": r["id"],
        "kind": r["kind"],
        "trigger": r["trigger"],
        "status": r["status"],
        "started_at": _iso(r["started_at"]),
        "finished_at": _iso(r["finished_at"]),
        "seconds": _duration(r["started_at"], r["finished_at"]),
        "error": r["error"],
    }


def show_run(engine, run_id: int) -> Optional[dict]:
    from sqlalchemy import select

    from sourcing.runs import reap_dead_runs
    from storage.models import Run, RunStep

    reap_dead_runs(engine)
    rt, st = Run.__table__, RunStep.__table__
    with engine.connect() as conn:
        r = conn.execute(select(rt).where(rt.c.id == run_id)).mappings().first()
        if r is None:
            return None
        steps = conn.execute(select(st).where(st.c.run_id == run_id).order_by(st.c.id)).mappings().all()
    counts = {k: v for k, v in (r["counts"] or {}).items() if not k.startswith("_")}
    return {
        **_summary(r),
        "counts": counts,
        "steps": [
            {
                "name": s["name"],
                "status": s["status"],
                "started_at": _iso(s["started_at"]),
                "finished_at": _iso(s["finished_at"]),
                "seconds": _duration(s["started_at"], s["finished_at"]),
                "counts": s["counts"] or {},
                "error": s["error"],
                "warnings": s["warnings"] or [],
            }
            for s in steps
        ],
    }


@runs_app.callback()
def runs(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many of the most recent runs to show."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of runs."),
) -> None:
    """Recent runs: what ran, when, how long, and which steps failed.

    Example: sourcing runs --limit 5
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table
    from rich.text import Text

    from sourcing.cli import console, state

    rows = list_runs(state(ctx).engine(), limit)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("no runs yet: start one with [bold]sourcing run[/] (or try [bold]sourcing demo[/])")
        return
    table = Table(title="recent runs")
    for col, kw in (("id", {"justify": "right"}), ("kind", {}), ("trigger", {}), ("status", {}), ("started", {}),
                    ("took", {"justify": "right"}), ("steps", {}), ("error", {"overflow": "fold"})):
        table.add_column(col, **kw)
    for r in rows:
        c = COLOURS.get(r["status"], "white")
        steps = " ".join(f"[{COLOURS.get(s, 'white')}]{n}[/]" for n, s in r["steps"].items())
        table.add_row(
            str(r["id"]), r["kind"], r["trigger"] or "", f"[{c}]{r['status']}[/]", _when(_dt(r["started_at"])),
            _fmt_duration(r["seconds"]), steps, Text((r["error"] or "")[:120]),
        )
    console.print(table)
    console.print("[dim]step names are coloured by status; details: sourcing runs show ID[/]")


def _dt(s: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(s) if s else None


@runs_app.command("show")
def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., metavar="ID", help="A run id (see `sourcing runs`), or 'last'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the run with its steps."),
) -> None:
    """One run: each step's status, duration, counts, error and warnings.

    Example: sourcing runs show last
    """
    from rich.table import Table
    from rich.text import Text

    from sourcing.cli import console, fail, state

    engine = state(ctx).engine()
    if run_id == "last":
        latest = list_runs(engine, 1)
        if not latest:
            fail("no runs yet", code=2)
        rid = latest[0]["id"]
    elif run_id.isdigit():
        rid = int(run_id)
    else:
        fail(f"a run id is a number (or 'last'), not '{run_id}'", code=2)
    info = show_run(engine, rid)
    if info is None:
        fail(f"there is no run {rid} (see `sourcing runs`)", code=2)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    c = COLOURS.get(info["status"], "white")
    console.print(
        f"[bold]run {info['id']}[/] ({info['kind']}, {info['trigger'] or '?'}): [{c}]{info['status']}[/] — "
        f"started {_when(_dt(info['started_at']))}, took {_fmt_duration(info['seconds'])}",
        highlight=False,
    )
    if info["error"]:
        console.print(Text.assemble(("error: ", "red"), info["error"]))
    table = Table()
    for col, kw in (("step", {}), ("status", {}), ("took", {"justify": "right"}), ("counts", {"overflow": "fold"}),
                    ("error", {"overflow": "fold"})):
        table.add_column(col, **kw)
    for s in info["steps"]:
        sc = COLOURS.get(s["status"], "white")
        table.add_row(s["name"], f"[{sc}]{s['status']}[/]", _fmt_duration(s["seconds"]), Text(_counts_text(s["counts"])),
                      Text(s["error"] or ""))
    console.print(table)
    for s in info["steps"]:
        if s["warnings"]:
            console.print(f"[yellow]{s['name']}: {len(s['warnings'])} warning(s)[/]")
            for w in s["warnings"][:20]:
                console.print(f"  - {w}", highlight=False, markup=False)
            if len(s["warnings"]) > 20:
                console.print(f"  … {len(s['warnings']) - 20} more (--json shows all)")


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
