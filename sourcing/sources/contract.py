"""The one collector contract every source and spider follows (after CHAOSS Perceval's backends).

A collector has a `name`, its `categories`, and `fetch(category, since=None)`: a generator of
`Record`s (uniform items: a stable uid, the source's own id, an `updated_on` cursor value, and the
rows to store, by table) and of `Checkpoint`s (a Singer-style bookmark). The sink stores each
checkpoint in the same transaction as every record yielded before it, so a bookmark is never
ahead of the data it covers. Collectors never hold a database session.

Row conventions (storage.ingest resolves them): rows are plain dicts of a table's columns, keyed
by table name; references use natural keys instead of ids: `repo` = "owner/name",
`identity` = (source, external_key), `paper` = paper key, `talk` = talk key, `event` = event key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Optional, Protocol, Union, runtime_checkable


@dataclass
class Record:
    source: str  # github | arxiv | talks
    category: str  # e.g. repo, pull, review, commit, profile, paper, talk
    uid: str  # stable across runs: "github:pr:apache/airflow#123", "arxiv:2406.01234"
    source_id: str  # the source's own id
    updated_on: Optional[datetime]  # the source's update time; what cursors advance to
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Checkpoint:
    """A bookmark for (source, category, key), valid once everything yielded before it is stored."""

    source: str
    category: str
    key: str = ""
    since: Optional[datetime] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    page: Optional[int] = None
    state: Optional[dict] = None

    def row(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "category": self.category,
            "key": self.key,
            "since": self.since,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "page": self.page,
            "state": self.state,
        }


@dataclass
class Problem:
    """Something a run should show: an unknown repo, a malformed feed, a layout that changed."""

    source: str
    where: str
    message: str
    fatal: bool = False  # True: this partition was abandoned


Item = Union[Record, Checkpoint, Problem]


@runtime_checkable
class Collector(Protocol):
    name: str
    categories: tuple[str, ...]

    def fetch(self, category: str, since: Optional[datetime] = None) -> Iterator[Item]:
        """Yield records, checkpoints and problems for `category` changed since `since`.

        `since=None` means: resume from the stored cursors the collector was given.
        """
        ...
