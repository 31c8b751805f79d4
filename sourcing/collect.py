"""The sink every collector and spider feeds: batches records into storage, bookmarks with them.

A checkpoint flushes the batch and is written in the same transaction, so killing a crawl at
any moment loses nothing already committed and never leaves a cursor ahead of its data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, Optional

from sqlalchemy.engine import Engine

from sourcing.sources.contract import Checkpoint, Collector, Item, Problem, Record
from storage.ingest import store

log = logging.getLogger(__name__)


@dataclass
class Stats:
    records: int = 0
    checkpoints: int = 0
    stored: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, counts: dict[str, int]) -> None:
        for k, v in counts.items():
            self.stored[k] = self.stored.get(k, 0) + v

    def as_dict(self) -> dict:
        return {
            "records": self.records,
            "stored": dict(self.stored),
            "problems": [f"{p.where}: {p.message}" for p in self.problems],
        }


class Sink:
    """Accumulates records; `flush()` writes them (and pending checkpoints) in one transaction."""

    def __init__(self, engine: Engine, *, batch_size: int = 2000, stats: Optional[Stats] = None):
        self.engine = engine
        self.batch_size = batch_size
        self.stats = stats or Stats()
        self._rows: dict[str, list[dict]] = {}
        self._checkpoints: list[dict] = []
        self._pending = 0

    def add(self, item: Item) -> None:
        if isinstance(item, Record):
            for table, rows in item.rows.items():
                self._rows.setdefault(table, []).extend(rows)
            self.stats.records += 1
            self._pending += 1
            if self._pending >= self.batch_size:
                self.flush()
        elif isinstance(item, Checkpoint):
            self._checkpoints.append(item.row())
            self.stats.checkpoints += 1
            self.flush()
        elif isinstance(item, Problem):
            self.stats.problems.append(item)
            log.warning("%s: %s: %s", item.source, item.where, item.message)
        else:
            raise TypeError(f"a collector yielded {type(item).__name__}, not a Record/Checkpoint/Problem")

    def flush(self) -> None:
        if not self._rows and not self._checkpoints:
            return
        with self.engine.begin() as conn:
            counts = store(conn, self._rows, self._checkpoints)
        self.stats.add(counts)
        self._rows, self._checkpoints, self._pending = {}, [], 0


def run_collector(
    engine: Engine,
    collector: Collector,
    categories: Optional[Iterable[str]] = None,
    *,
    since: Optional[datetime] = None,
    batch_size: int = 2000,
    on_item: Optional[Callable[[Item], None]] = None,
) -> Stats:
    """Drain `collector.fetch` for each category into storage. Records after the last checkpoint
    are flushed at the end; if the crawl dies before that, only they are lost, never a cursor."""
    sink = Sink(engine, batch_size=batch_size)
    for category in categories or collector.categories:
        for item in collector.fetch(category, since=since):
            sink.add(item)
            if on_item:
                on_item(item)
    sink.flush()
    return sink.stats
