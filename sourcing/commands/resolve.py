"""`sourcing resolve`: cluster stored identities into people (incremental, or --full)."""

from __future__ import annotations

import typer

ORDER = 30


def resolve_cmd(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help="Re-cluster every identity from scratch (default: only new or changed ones)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Join the identities collected from GitHub, arXiv and talks into people.

    Example: sourcing resolve --full
    """
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sourcing.cli import console, state
    from sourcing.identity import resolve
    from sourcing.runs import record_run

    engine = state(ctx).engine()
    tasks: dict[str, int] = {}
    with record_run(engine, kind="resolve", trigger="cli") as run:
        with run.step("resolve", reraise=True) as rec:
            with Progress(
                TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                console=console, transient=True, disable=as_json,
            ) as bar:

                def progress(step: str, done: int = 0, total: int | None = None, **_):
                    if step not in tasks:
                        tasks[step] = bar.add_task(step, total=total or 1)
                    bar.update(tasks[step], completed=done, total=total or 1)

                counts = resolve(engine, full=full, progress=progress)
            rec.counts = {k: v for k, v in counts.items() if k != "warnings"}
            for w in counts.get("warnings") or ():
                rec.warn(w)
    if as_json:
        typer.echo(json.dumps(counts, sort_keys=True, default=str))
        return
    console.print(
        f"[bold]{counts['people']:,}[/] people from [bold]{counts['identities']:,}[/] identities "
        f"({counts['mode']}: {counts['scope']:,} compared, {counts['new']:,} new, {counts['merged']:,} people merged) "
        f"in {counts['elapsed']:.1f}s; [bold]{counts['suggestions']:,}[/] suggestions to review "
        "([cyan]sourcing person suggestions[/])"
    )
    for w in counts.get("warnings") or ():
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("resolve")(resolve_cmd)
