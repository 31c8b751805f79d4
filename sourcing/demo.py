"""`sourcing demo`: the whole product on one machine, no token and no network, in a couple of minutes.

Generates an offline world, serves it from a thread of this process on 127.0.0.1, writes the
config that points every source at it, runs the real pipeline (PyGithub, arxiv, Scrapy in a child
process, resolution, scoring, lead lists) into a fresh SQLite file, then prints the lead lists and
writes a shortlist CSV.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

log = logging.getLogger("sourcing.demo")

DEFAULT_DIR = "sourcing-demo"
DEFAULT_SIZE = 1500
DEFAULT_SEED = 7
SHORTLIST_PER_SEARCH = 10
DEMO_RATE_LIMIT = 1_000_000


@dataclass
class DemoResult:
    dir: Path
    config_path: Path
    db_path: Path
    csv_path: Path
    run_id: int
    status: str
    exit_code: int
    lists: dict[str, list[dict]] = field(default_factory=dict)
    shortlisted: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def serve_world(size: int, seed: int) -> Iterator[str]:
    """Generate the world and serve it from a thread; yields its base URL (http://127.0.0.1:PORT)."""
    from sourcing.world.server import serve_in_thread

    world = _generate(size, seed)
    # a budget big enough for one complete crawl: the demo shows the product, not the rate limit
    # (the collector's budget handling has its own tests; `sourcing world serve` keeps 5000/hour)
    with serve_in_thread(world, rate_limit=DEMO_RATE_LIMIT) as url:
        yield url


def _generate(size: int, seed: int):
    from sourcing.world.generate import generate

    return generate(size, seed)


def write_config(directory: Path, url: str) -> tuple[Path, Path]:
    """DIR/sourcing.toml: the world's config (`sourcing world config`) with the database DIR/demo.db
    and no GitHub token (the world needs none; a real token in the environment stays unused)."""
    import re

    from sourcing.world.server import config_text

    db = directory / "demo.db"
    text = config_text(url, db_url=f"sqlite:///{db.as_posix()}")
    text = re.sub(r"(?m)^token_env = \[.*$", "token_env = []   # the demo sends no token", text, count=1)
    path = directory / "sourcing.toml"
    path.write_text(text, encoding="utf-8")
    return path, db


def _fresh(db: Path) -> None:
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        p.unlink(missing_ok=True)


def run_demo(
    directory: Path,
    *,
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    on_step: Optional[Callable] = None,
    on_phase: Optional[Callable[[str], None]] = None,
) -> DemoResult:
    """Everything `sourcing demo` does except printing. The database is always a fresh file."""
    from sourcing.config import load
    from sourcing.export import write_csv
    from sourcing.leads import latest_list
    from sourcing.pipeline import run_pipeline
    from storage import ensure_schema, make_engine

    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():  # `make demo` writes into the checkout: keep its output out of git
        ignore.write_text("# written by sourcing demo\n*\n", encoding="utf-8")
    say = on_phase or (lambda _m: None)
    seconds: dict[str, float] = {}
    t0 = time.monotonic()
    say(f"generating a world of {size} people (seed {seed}) and serving it on 127.0.0.1 …")
    with serve_world(size, seed) as url:
        seconds["world"] = time.monotonic() - t0
        config_path, db = write_config(directory, url)
        _fresh(db)
        config = load(config_path)
        engine = make_engine(config.database.url)
        ensure_schema(engine)
        say(f"world at {url}; config {config_path}; database {db}")
        t1 = time.monotonic()
        result = run_pipeline(engine, config, trigger="demo", kind="demo", on_step=on_step)
        seconds["pipeline"] = time.monotonic() - t1
    lists = {s.name: latest_list(engine, s.name) for s in config.searches}
    chosen: dict[int, dict] = {}
    for rows in lists.values():
        for lead in rows[:SHORTLIST_PER_SEARCH]:
            chosen.setdefault(lead["person_id"], lead)
    csv_path = directory / "shortlist.csv"
    written = write_csv(engine, list(chosen.values()), csv_path)
    engine.dispose()
    seconds["total"] = time.monotonic() - t0
    return DemoResult(
        dir=directory, config_path=config_path, db_path=db, csv_path=csv_path, run_id=result.run_id,
        status=result.status, exit_code=result.exit_code, lists=lists, shortlisted=written, seconds=seconds,
    )
