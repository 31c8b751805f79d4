"""`sourcing world ...`: serve the offline world, print a config pointing at it, write its truth."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

ORDER = 90

world_app = typer.Typer(
    help="The offline world: a generated ML community served as GitHub, arXiv and conference sites.\n\n"
    "Example: sourcing world serve --port 8765 --size 2000 --seed 7",
    no_args_is_help=True,
)


def serve(
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."),
    size: int = typer.Option(2000, "--size", min=20, max=2_000_000, help="People in the world."),
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same world."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    faults: Optional[str] = typer.Option(
        None, "--faults", metavar="SPEC",
        help='Faults, "[api/]kind[:rate[:times]]" comma-separated; kinds: 500, 502, 404, truncated, '
        'secondary, 301, 409, empty_page. E.g. "502:0.05,arxiv/empty_page:0.1".'),
    rate_limit: int = typer.Option(5000, "--rate-limit", min=1, help="GitHub requests per token per window."),
    reset_seconds: float = typer.Option(3600, "--reset-seconds", min=0.1, help="Length of the rate-limit window."),
    replay: Optional[Path] = typer.Option(
        None, "--replay", metavar="DIR", help="Also serve recorded responses under DIR (e.g. ../shared/corpus)."),
) -> None:
    """Generate a world and serve it until Ctrl-C.

    GitHub REST v3 at URL/api/v3, arXiv at URL/api/query, conference sites at
    URL/sites/<host>/<path>, request statistics at URL/_world/stats.

    Example: sourcing world serve --port 8765 --size 2000 --seed 7 --faults "502:0.02"
    """
    import time

    from sourcing.cli import console, fail
    from sourcing.world.generate import generate
    from sourcing.world.server import parse_faults
    from sourcing.world.server import serve as run

    try:
        parse_faults(faults)
    except ValueError as exc:
        fail(str(exc), code=2)
    if replay is not None and not replay.is_dir():
        fail(f"{replay}: not a directory", code=2)
    t0 = time.monotonic()
    world = generate(size, seed)
    console.print(f"world of {size} people (seed {seed}) generated in {time.monotonic() - t0:.1f}s: "
                  f"{len(world.repos)} repos, {len(world.pulls) + len(world.reviews) + len(world.commits)} "
                  f"activities, {len(world.papers)} papers, {sum(len(e.talks) for e in world.events)} talks",
                  highlight=False)

    def ready(url: str) -> None:
        console.print(f"serving on [bold]{url}[/]  (GitHub {url}/api/v3, arXiv {url}/api/query, "
                      f"sites {url}/sites/…, stats {url}/_world/stats)", highlight=False)
        console.print(f"config: sourcing world config --url {url} > world.toml", highlight=False)

    try:
        run(world, host=host, port=port, faults=faults, rate_limit=rate_limit, reset_seconds=reset_seconds,
            replay=replay, on_ready=ready)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code=1)
    except KeyboardInterrupt:
        console.print("stopped")


def config(
    url: str = typer.Option(..., "--url", help="The running world's base URL, e.g. http://127.0.0.1:8765."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of stdout."),
) -> None:
    """Print a complete sourcing.toml that points GitHub, arXiv and every conference site at a world.

    Example: sourcing world config --url http://127.0.0.1:8765 > world.toml
    """
    from sourcing.cli import console, fail
    from sourcing.world.server import config_text

    if not url.startswith(("http://", "https://")):
        fail(f"--url must be an http(s) URL, got {url!r}", code=2)
    text = config_text(url)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}", highlight=False)


def truth(
    size: int = typer.Option(2000, "--size", min=20, max=2_000_000, help="People in the world."),
    seed: int = typer.Option(7, "--seed", help="The world's seed."),
    out: Path = typer.Option(..., "--out", help="JSON file to write."),
) -> None:
    """Write the world's truth: which identities are one person, true skills and strength, bots.

    Example: sourcing world truth --size 2000 --seed 7 --out truth.json
    """
    import json

    from sourcing.cli import console
    from sourcing.world.generate import generate

    data = generate(size, seed).truth()
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    n_ids = sum(len(p["identities"]) for p in data["people"])
    console.print(f"wrote {out}: {len(data['people'])} people, {n_ids} identities", highlight=False)


def register(app: typer.Typer) -> None:
    world_app.command("serve")(serve)
    world_app.command("config")(config)
    world_app.command("truth")(truth)
    app.add_typer(world_app, name="world")
