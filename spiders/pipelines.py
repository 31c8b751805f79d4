"""The one storage pipeline: items -> the collector contract's Records -> storage, in batches.

Rows follow the contract (sourcing.sources.contract): natural-key references, resolved by
storage.ingest. A Speaker slot becomes Identity ("talks", "<talk key>#<index>") + Speaking; a
proceedings paper becomes Paper + one Identity ("proceedings", "<paper key>#<position>") and one
Authorship per author. When a site's crawl finished, a Checkpoint ("talks", <spider>, <site>)
records it in the same transaction as the site's last rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from spiders.items import EventItem, PaperItem, SpeakerItem, TalkItem

log = logging.getLogger(__name__)

TALK_COLUMNS = (
    "title", "abstract", "track", "room", "kind", "language", "starts_at", "duration_min", "url",
    "video_url", "tags",
)
EVENT_COLUMNS = ("name", "platform", "url", "location", "starts_on", "ends_on")
MAX_TEXT = 20_000  # a biography or abstract longer than this is cut (a broken page, not a person)


def _clip(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v[:MAX_TEXT] if v else None
    return v


def _present(row: dict) -> dict:
    """Only the columns the item has: a missing field never overwrites a stored value."""
    return {k: _clip(v) for k, v in row.items() if v is not None and v != "" and v != []}


def to_record(item) -> "Record":
    """The contract's Record for one item (raises DropItem when a key is missing)."""
    from sourcing.sources.contract import Record

    a = ItemAdapter(item)
    if isinstance(item, EventItem):
        key = _need(a, "key")
        row = {"key": key, **_present({c: a.get(c) for c in EVENT_COLUMNS})}
        return Record("talks", "event", f"talks:event:{key}", key, None, {"event": [row]})
    if isinstance(item, TalkItem):
        key = _need(a, "key")
        row = {"key": key, **_present({c: a.get(c) for c in TALK_COLUMNS})}
        if a.get("event"):
            row["event"] = a["event"]
        return Record("talks", "talk", f"talks:talk:{key}", key, None, {"talk": [row]})
    if isinstance(item, SpeakerItem):
        talk = _need(a, "talk")
        index = int(_need(a, "index"))
        ext = f"{talk}#{index}"
        ident = {
            "source": "talks",
            "external_key": ext,
            **_present(
                {
                    "name": a.get("name"),
                    "bio": a.get("bio"),
                    "handles": a.get("handles") or None,
                    "urls": a.get("urls") or None,
                    "affiliation": a.get("affiliation"),
                }
            ),
            "last_seen": _now(),
        }
        rows = {
            "identity": [ident],
            "speaking": [{"talk": talk, "position": index, "identity": ("talks", ext)}],
        }
        return Record("talks", "speaker", f"talks:speaker:{ext}", ext, None, rows)
    if isinstance(item, PaperItem):
        key = _need(a, "key")
        paper = {
            "key": key,
            "source": "proceedings",
            **_present(
                {
                    "title": a.get("title"),
                    "abstract": a.get("abstract"),
                    "url": a.get("url"),
                    "pdf_url": a.get("pdf_url"),
                    "venue": a.get("venue"),
                    "published": a.get("published"),
                }
            ),
        }
        if a.get("event"):
            paper["event"] = a["event"]
        idents, authorships = [], []
        for pos, au in enumerate(a.get("authors") or []):
            ext = f"{key}#{pos}"
            idents.append(
                {"source": "proceedings", "external_key": ext, **_present({"name": au.get("name"),
                 "affiliation": au.get("affiliation")}), "last_seen": _now()}
            )
            authorships.append({"paper": key, "position": pos, "identity": ("proceedings", ext)})
        rows = {"paper": [paper], "identity": idents, "authorship": authorships}
        codes = [{"paper": key, "url": url, "repo": repo} for url, repo in (a.get("code_urls") or [])]
        if codes:
            rows["papercode"] = codes
        return Record("proceedings", "paper", f"proceedings:paper:{key}", key, a.get("published"), rows)
    raise DropItem(f"not an item the storage pipeline knows: {type(item).__name__}")


def _need(a: ItemAdapter, field: str) -> Any:
    v = a.get(field)
    if v is None or v == "":
        raise DropItem(f"{type(a.item).__name__} without {field}")
    return v


_STAMP: datetime | None = None


def _now() -> datetime:
    # one timestamp per process: every identity of one crawl says it was seen in that crawl
    global _STAMP
    if _STAMP is None:
        _STAMP = datetime.now(timezone.utc)
    return _STAMP


class StoragePipeline:
    """Writes items through sourcing.collect.Sink, `SOURCING_BATCH_SIZE` records a transaction."""

    def __init__(self, crawler, db_url: str, batch_size: int):
        self.crawler = crawler
        self.db_url = db_url
        self.batch_size = batch_size
        self.engine = None
        self.sink = None
        # keys yielded by this crawl: a speaker of a talk that was dropped must not fail a batch
        self.seen: dict[str, set] = {"event": set(), "talk": set()}

    @classmethod
    def from_crawler(cls, crawler):
        db_url = crawler.settings.get("SOURCING_DB_URL")
        if not db_url:
            # `scrapy check` and ad-hoc runs without a database: items are only parsed
            raise NotConfigured("SOURCING_DB_URL is not set")
        pipe = cls(crawler, db_url, crawler.settings.getint("SOURCING_BATCH_SIZE", 500))
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None) -> None:
        from sourcing.collect import Sink
        from storage import make_engine

        self.engine = make_engine(self.db_url)
        self.sink = Sink(self.engine, batch_size=self.batch_size)

    def process_item(self, item, spider=None):
        record = to_record(item)
        self._check_refs(record)
        self.sink.add(record)
        stats = self.crawler.stats
        kind = record.category
        stats.inc_value(f"sourcing/items/{kind}")
        site = ItemAdapter(item).get("site") or ""
        stats.inc_value(f"sourcing/site/{site}/{kind}")
        if isinstance(item, PaperItem):
            stats.inc_value("sourcing/items/author", len(item.get("authors") or []))
            stats.inc_value(f"sourcing/site/{site}/author", len(item.get("authors") or []))
        return item

    def _check_refs(self, record) -> None:
        rows = record.rows
        for t in ("event", "talk"):
            for r in rows.get(t, ()):
                self.seen[t].add(r["key"])
        for r in rows.get("talk", ()):
            if r.get("event") and r["event"] not in self.seen["event"]:
                log.warning("talk %s: event %s was not collected; stored without it", r["key"], r["event"])
                r.pop("event")
        for r in rows.get("paper", ()):
            if r.get("event") and r["event"] not in self.seen["event"]:
                r.pop("event")
        for r in rows.get("speaking", ()):
            if r["talk"] not in self.seen["talk"]:
                raise DropItem(f"speaker of talk {r['talk']}, which was not collected")

    def close_spider(self, spider=None) -> None:
        try:
            self.sink.flush()
        finally:
            stored = self.sink.stats.stored
            for table, n in stored.items():
                self.crawler.stats.set_value(f"sourcing/stored/{table}", n)

    def spider_closed(self, spider, reason) -> None:
        """A finished site gets its bookmark (when it was last crawled completely)."""
        from sourcing.sources.contract import Checkpoint

        try:
            if reason == "finished" and self.sink is not None:
                for site in getattr(spider, "sites", []) or []:
                    counts = {
                        k.rsplit("/", 1)[1]: v
                        for k, v in self.crawler.stats.get_stats().items()
                        if k.startswith(f"sourcing/site/{site}/")
                    }
                    self.sink.add(
                        Checkpoint("talks", spider.name, site, since=datetime.now(timezone.utc), state=counts)
                    )
                self.sink.flush()
        finally:
            if self.engine is not None:
                self.engine.dispose()
