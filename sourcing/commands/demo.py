"""`sourcing demo`: the offline world, the real pipeline, lead lists and a shortlist CSV, in one go."""

from __future__ import annotations

from pathlib import Path

import typer

ORDER = 1


def demo(
    ctx: typer.Context,
    directory: Path = typer.Option(Path("sourcing-demo"), "--dir", metavar="DIR",
                                   help="Where the config, the SQLite database and the CSV go (the database is recreated)."),
    size: int = typer.Option(1500, "--size", metavar="N", min=50, max=200_000, help="People in the generated world."),
    seed: int = typer.Option(7, "--seed", help="The world's seed: the same seed gives the same world."),
    top: int = typer.Option(10, "--top", min=1, help="Leads to print per lead list."),
) -> None:
    """Run the whole pipeline against a generated offline world: no token, no network.

    Starts the world on 127.0.0.1 in this process, writes DIR/sourcing.toml pointing at it, runs github, arxiv, talks, resolve, score and leads into a fresh DIR/demo.db, prints the lead lists and writes DIR/shortlist.csv.

    Example: sourcing demo --dir /tmp/demo --size 500
    """
    from rich.table import Table
    from rich.text import Text

    from sourcing.cli import console, fail
    from sourcing.commands.run import _console_logging, step_printer
    from sourcing.demo import run_demo

    _console_logging()
    try:
        res = run_demo(directory, size=size, seed=seed, on_step=step_printer(console),
                       on_phase=lambda m: console.print(f"[dim]{m}[/]", highlight=False))
    except KeyboardInterrupt:
        raise typer.Exit(130)
    except ImportError as exc:
        fail(f"the demo needs a part of sourcing that is missing: {exc}", code=1)
    for name, rows in res.lists.items():
        table = Table(title=f"lead list: {name} ({len(rows)} leads)", title_justify="left")
        for col, kw in (("#", {"justify": "right"}), ("name", {}), ("github", {}), ("location", {}),
                        ("score", {"justify": "right"}), ("top skills", {}), ("why", {"overflow": "fold"})):
            table.add_column(col, **kw)
        for lead in rows[:top]:
            table.add_row(
                str(lead.get("rank")), Text(str(lead.get("name") or "")), Text(lead.get("github") or ""),
                Text(lead.get("location") or ""), f"{lead.get('score', 0):.1f}",
                ", ".join(lead.get("top_skills") or []), Text(lead.get("why") or ""),
            )
        console.print(table)
        if not rows:
            console.print(f"[yellow]{name}: nobody matched[/]")
    colour = {"ok": "green", "partial": "yellow"}.get(res.status, "red")
    console.print(
        f"run {res.run_id}: [{colour}]{res.status}[/] in {res.seconds.get('total', 0):.1f}s "
        f"(world {res.seconds.get('world', 0):.1f}s, pipeline {res.seconds.get('pipeline', 0):.1f}s)",
        highlight=False,
    )
    console.print(f"shortlist: {res.csv_path} ({res.shortlisted} people)", highlight=False)
    console.print(
        f"next: [bold]sourcing --config {res.config_path} runs show {res.run_id}[/] — the run, step by step",
        highlight=False,
    )
    raise typer.Exit(res.exit_code)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
