"""`sourcing score`: score every person per skill, role and overall from what is stored, as a recorded Run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

ORDER = 40

PHASES = ("load", "skills", "activity", "importance", "code", "research", "talks", "combine",
          "contributions", "rank", "evidence", "write")


def score(
    ctx: typer.Context,
    weights: Optional[Path] = typer.Option(
        None, "--weights", metavar="PATH", help="Your own scoring weights (TOML; only the keys you change)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {run_id, counts, timings}."),
) -> None:
    """Score every person per skill, per role and overall (0-100, ranked, with evidence).

    A pass over what is stored: it never touches the network, and the same database always gives
    the same scores. Prints the time each phase took.

    Example: sourcing score --weights my-weights.toml
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    import scoring
    from scoring.weights import WeightsError
    from scoring.weights import load as load_weights
    from sourcing.cli import console, fail, state
    from sourcing.runs import record_run

    st = state(ctx)
    if weights is not None:
        try:
            load_weights(weights)
        except WeightsError as exc:
            fail(str(exc), code=2)
    tax = st.config.load_taxonomy()
    engine = st.engine()
    with Progress(
        SpinnerColumn(), TextColumn("[bold]scoring[/] {task.description}"), BarColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=as_json,
    ) as bar:
        task = bar.add_task("reading", total=len(PHASES))

        def progress(phase: str) -> None:
            if phase in PHASES:
                bar.update(task, advance=1, description=f"{phase} done")
            else:
                bar.update(task, description=phase)

        with record_run(engine, kind="score") as run:
            with run.step("score", reraise=True) as step:
                out = scoring.score(engine, taxonomy=tax, weights_path=str(weights) if weights else None,
                                    run_id=run.id, progress=progress)
                step.counts = {**out["counts"], "seconds": out["timings"].get("total")}
    if as_json:
        typer.echo(json.dumps({"run_id": run.id, **out}, sort_keys=True))
        return
    c = out["counts"]
    console.print(
        f"scored [bold]{c['scored_people']:,}[/] people ({c['bots']:,} bots skipped): "
        f"{c['scores']:,} scores, {c['evidence']:,} evidence lines; run {run.id}"
    )
    if c.get("flagged_people"):
        console.print(f"[yellow]{c['flagged_people']:,} people flagged[/] (trivial PRs, self-merges or bursts discounted)")
    table = Table(title="phases", show_edge=False)
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    for name, secs in out["timings"].items():
        if not name.startswith("load.") and name != "total":
            table.add_row(name, f"{secs:.2f}")
    table.add_row("[bold]total[/]", f"[bold]{out['timings']['total']:.2f}[/]")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("score")(score)
