"""The arXiv collector: ML papers, one identity per author slot, and the code they link to.

Queries run through the `arxiv` package (Search says what, Client does paging, delay and
retries) over submission-date windows: `(<query>) AND submittedDate:[from TO to]`, sorted by
submission date, so a per-query cursor can follow the newest paper stored.

Decisions worth knowing:
- A window asks for at most `window_max` results (the API serves at most 30,000 per query);
  a full window is followed by the next one from the newest submission date seen, so a long
  history is split by date as it is read, without a request spent on counting first.
- The next run starts `OVERLAP` before the cursor: arXiv announces papers a day or more after
  their submission date (longer over holidays or when a paper is on hold), so a paper
  submitted before the cursor can appear after the run that set it. Re-reading is free of
  side effects: every write is an upsert.
- GitHub links become `papercode` rows referencing `repo` "owner/name" (storage creates a
  minimal Repo row when the repo is unknown, for the GitHub collector to pick up). GitLab
  links become Repo rows with host="gitlab" and full_name "<host>/<group>/<project>"
  (e.g. "gitlab.com/group/project"): never a valid GitHub "owner/name", so a GitHub crawler
  that filters on host="github" (or on one slash) never asks GitHub for them.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import urlsplit

import arxiv
import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine

from sourcing.collect import Sink, Stats
from sourcing.runs import RunRecorder, StepRecord
from sourcing.sources.contract import Checkpoint, Item, Problem, Record
from sourcing.sources.links import code_links
from storage.ingest import cursors

log = logging.getLogger(__name__)

SOURCE = "arxiv"
CATEGORY = "papers"
API_URL = "https://export.arxiv.org/api/query"
API_MAX_RESULTS = 30_000  # the API never serves more results than this for one query
API_MAX_PAGE = 2_000
OVERLAP = timedelta(days=3)
MAX_AUTHORS = 1_000  # beyond this a paper is a big collaboration: its tail tells nothing about anyone
MAX_NAME = 300  # characters; longer "names" are broken feeds (a whole author list in one name)

_WITHDRAWN_COMMENT = re.compile(r"\bwithdrawn\b|\bretracted\b", re.IGNORECASE)
_WITHDRAWN_ABSTRACT = re.compile(
    r"^\W*(?:this (?:paper|submission|article|manuscript|work|version) (?:has been|is|was) withdrawn|withdrawn\b)",
    re.IGNORECASE,
)


class FeedError(Exception):
    """A page that is not a readable arXiv feed, even after the client's retries."""


class QueryFailed(Exception):
    """A query given up on; its message says why, so run history needs no traceback."""

    brief = True


def paper_id(entry_id: str) -> tuple[str, Optional[int]]:
    """("2406.01234", 2) from "http://arxiv.org/abs/2406.01234v2"; old-style ids keep their archive."""
    short = entry_id.split("arxiv.org/abs/")[-1].strip()
    m = re.match(r"^(?P<id>.+?)(?:v(?P<v>\d+))?$", short)
    assert m is not None  # the pattern matches any string
    return m.group("id"), int(m.group("v")) if m.group("v") else None


def _minute(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc).replace(second=0, microsecond=0)


def _utc(dt: Optional[datetime]) -> Optional[datetime]:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def window_query(query: str, start: datetime, end: datetime, field: str = "submittedDate") -> str:
    """The API query for `query` restricted to papers first submitted (or, with
    field="lastUpdatedDate", last revised) in [start, end], to the minute."""
    return f"({query}) AND {field}:[{_minute(start):%Y%m%d%H%M} TO {_minute(end):%Y%m%d%H%M}]"


def is_local(url: str) -> bool:
    """True for an API on this machine (the offline world), which needs no politeness delay."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _text(s: Optional[str]) -> Optional[str]:
    """Whitespace collapsed (feeds wrap lines), unicode in NFC; None for nothing."""
    if s is None:
        return None
    s = " ".join(unicodedata.normalize("NFC", s).split())
    return s or None


# --- the client ---------------------------------------------------------------------------


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class _Client(arxiv.Client):
    """arxiv.Client aimed at any API URL, counting requests and pages, and refusing to take an
    unreadable first page for an empty result (the package stops silently on an empty first page,
    which would let a cursor advance over papers never read)."""

    def __init__(self, api_url: str, *, page_size: int, delay_seconds: float, num_retries: int, timeout: float = 120.0):
        super().__init__(page_size=page_size, delay_seconds=delay_seconds, num_retries=num_retries)
        self.query_url_format = api_url.split("?")[0] + "?{}"
        self.requests = 0
        self.pages = 0
        self.page_len = 0  # results on the latest page
        self.first_total: Optional[int] = None  # totalResults of the latest first page
        self.problems: list[str] = []
        self._body = b""
        self._session.hooks["response"].append(self._seen)
        # the package sets no timeout: a hung connection would hang the nightly run
        adapter = _TimeoutAdapter(timeout)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def _seen(self, resp, *args, **kwargs):
        self.requests += 1
        self._body = resp.content or b""
        return resp

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0):
        feed = super()._parse_feed(url, first_page=first_page, _try_index=_try_index)
        if getattr(feed, "_sourcing_seen", False):  # a retry further down already looked at it
            return feed
        feed._sourcing_seen = True
        h = feed.header
        unreadable = feed.malformed or (not feed.results and b"totalResults" not in self._body)
        # arXiv now and then answers a first page with no entries though it counts results; the
        # package would end the query there, as if it had none
        hollow = first_page and not feed.results and h.total_results > h.start_index
        if unreadable or hollow:
            why = (
                f"an empty page of a query with {h.total_results:,} results" if hollow and not unreadable
                else feed.error or "no arXiv feed in the response"
            )
            if _try_index < self.num_retries:
                log.info("arxiv: bad page (try %d), retrying: %s: %s", _try_index, why, url)
                return self._parse_feed(url, first_page=first_page, _try_index=_try_index + 1)
            raise FeedError(f"unreadable feed after {_try_index + 1} tries ({why}): {url}")
        entries = self._body.count(b"<entry")
        if entries > len(feed.results):
            self.problems.append(
                f"{entries - len(feed.results)} of {entries} entries unreadable (missing id or dates)"
                f" and skipped: {url}"
            )
        self.pages += 1
        self.page_len = len(feed.results)
        if first_page:
            self.first_total = feed.header.total_results
        return feed


# --- papers to rows -----------------------------------------------------------------------


def paper_rows(result: arxiv.Result, *, max_authors: int = MAX_AUTHORS) -> tuple[dict[str, list[dict]], list[str]]:
    """Rows for one arXiv result (paper, identities, authorships, code links), and what was odd."""
    key, version = paper_id(result.entry_id)
    notes: list[str] = []
    abstract = _text(result.summary)
    comment = _text(result.comment)
    withdrawn = bool(
        (comment and _WITHDRAWN_COMMENT.search(comment)) or (abstract and _WITHDRAWN_ABSTRACT.search(abstract))
    )
    published, updated = _utc(result.published), _utc(result.updated)
    categories = list(dict.fromkeys(c for c in result.categories if c))
    primary = result.primary_category or (categories[0] if categories else None)
    if primary and primary not in categories:
        categories.insert(0, primary)
    paper = {
        "key": key,
        "source": SOURCE,
        "version": version,
        "title": _text(result.title),
        "abstract": abstract,
        "primary_category": primary,
        "categories": categories,
        "published": published,
        "updated": updated,
        "doi": _text(result.doi),
        "journal_ref": _text(result.journal_ref),
        "comment": comment,
        "url": f"https://arxiv.org/abs/{key}",
        "pdf_url": result.pdf_url,
        "withdrawn": withdrawn,
    }
    if not paper["title"]:
        notes.append("no title")
    rows: dict[str, list[dict]] = {"paper": [paper], "identity": [], "authorship": [], "repo": [], "papercode": []}

    authors = result.authors
    if len(authors) > max_authors:
        notes.append(f"{len(authors):,} authors: kept the first {max_authors:,}")
        authors = authors[:max_authors]
    for pos, author in enumerate(authors):
        name = _text(author.name)
        if not name:
            notes.append(f"author #{pos} has no name: slot skipped")
            continue
        if len(name) > MAX_NAME:
            notes.append(f"author #{pos} name is {len(name):,} characters: cut to {MAX_NAME}")
            name = name[:MAX_NAME].rstrip()
        affiliation = "; ".join(a for a in (_text(x) for x in author.affiliation) if a) or None
        ext = f"{key}#{pos}"
        rows["identity"].append(
            {
                "source": SOURCE,
                "external_key": ext,
                "name": name,
                "affiliation": affiliation,
                "first_seen": published,
                "last_seen": updated,
                "updated_on": updated,
            }
        )
        rows["authorship"].append(
            {"paper": key, "position": pos, "identity": (SOURCE, ext), "affiliation": affiliation}
        )
    if not rows["identity"]:
        notes.append("no authors")

    for link in code_links(result.summary, result.comment):
        if link.host == "gitlab":
            rows["repo"].append(
                {"full_name": link.full_name, "host": "gitlab", "owner": link.owner, "discovered_via": "paper"}
            )
        rows["papercode"].append({"paper": key, "url": link.url, "repo": link.full_name})
    return {t: r for t, r in rows.items() if r}, notes


# --- the collector ------------------------------------------------------------------------


@dataclass
class QueryProgress:
    """What a query has done so far; handed to a progress callback after every page."""

    query: str
    papers: int = 0  # papers yielded (each paper once per run, across queries)
    seen: int = 0  # results read, duplicates included
    pages: int = 0
    requests: int = 0  # HTTP requests, retries included
    windows: int = 0
    total: Optional[int] = None  # totalResults of the first window, once known
    since: Optional[datetime] = None
    done: bool = False
    error: Optional[str] = None
    problems: list[str] = field(default_factory=list)


class ArxivCollector:
    """The arXiv source, after the collector contract (`sourcing.sources.contract`).

    `cursors` maps a query to its stored cursor (the newest submission date read), `revised` to
    the newest revision date read (cursor state "revised"); `since` given to `fetch` overrides
    them. Without either, a query starts `history_days` ago.
    """

    name = SOURCE
    categories = (CATEGORY,)

    def __init__(
        self,
        queries: Iterable[str],
        *,
        api_url: str = API_URL,
        page_size: int = 200,
        delay_seconds: float = 3.0,
        num_retries: int = 3,
        window_max: int = 2_000,
        history_days: int = 365,
        cursors: Optional[dict[str, datetime]] = None,
        revised: Optional[dict[str, datetime]] = None,
        overlap: timedelta = OVERLAP,
        max_authors: int = MAX_AUTHORS,
        now: Optional[datetime] = None,
        progress: Optional[Callable[[QueryProgress], None]] = None,
        timeout: float = 120.0,
    ):
        self.queries = list(dict.fromkeys(q.strip() for q in queries if q and q.strip()))
        self.client = _Client(
            api_url,
            page_size=max(1, min(page_size, API_MAX_PAGE)),
            delay_seconds=delay_seconds,
            num_retries=num_retries,
            timeout=timeout,
        )
        self.window_max = max(1, min(window_max, API_MAX_RESULTS))
        self.history = timedelta(days=history_days)
        self.cursors = {q: _utc(s) for q, s in (cursors or {}).items() if s is not None}
        self.revised = {q: _utc(s) for q, s in (revised or {}).items() if s is not None}
        self.overlap = overlap
        self.max_authors = max_authors
        self.now = _utc(now) or datetime.now(timezone.utc)
        self.progress = progress
        self.seen: dict[str, int] = {}  # paper key -> newest version yielded in this run
        self.current: Optional[QueryProgress] = None  # the query being read

    def fetch(self, category: str = CATEGORY, since: Optional[datetime] = None) -> Iterator[Item]:
        if category != CATEGORY:
            raise ValueError(f"arxiv has no category {category!r} (it has {CATEGORY!r})")
        for query in self.queries:
            try:
                yield from self.fetch_query(query, since)
            except (arxiv.ArxivError, FeedError, OSError) as exc:  # requests' errors are OSErrors
                yield Problem(SOURCE, query, f"query failed: {exc}", fatal=True)

    def start_of(self, query: str, since: Optional[datetime] = None) -> datetime:
        if since is not None:
            return _utc(since)
        cursor = self.cursors.get(query)
        if cursor is not None:
            return cursor - self.overlap
        return self.now - self.history

    def fetch_query(self, query: str, since: Optional[datetime] = None) -> Iterator[Item]:
        """Records of `query`'s papers submitted since its cursor (or `since`), with a checkpoint
        after every page whose papers came in submission order; when resuming from a cursor, then
        the papers revised since the last run (a new version of an older paper is not a new
        submission). Raises when a page cannot be read after the client's retries; everything
        checkpointed before stays stored."""
        client = self.client
        start, end = self.start_of(query, since), _minute(self.now)
        prog = self.current = QueryProgress(query, since=start)
        requests0 = client.requests
        cursor_before = self.cursors.get(query)
        revised_before = self.revised.get(query) or cursor_before
        marks: dict[str, Optional[datetime]] = {"submitted": None, "revised": None, "last": None}

        def checkpoint(final: bool) -> Optional[Checkpoint]:
            newest = marks["submitted"]
            if newest is None and not (final and cursor_before is not None):
                return None
            mark = _minute(newest) if newest is not None else cursor_before
            revised = marks["revised"] or revised_before
            if final and cursor_before is not None and since is None:
                mark = max(mark, cursor_before)  # a re-read of the overlap never moves it back
                revised = max(filter(None, (revised, revised_before)), default=None)
            if mark == marks["last"] and not final:
                return None
            marks["last"] = mark
            state = {"papers": prog.papers, "window_end": end.isoformat()}
            if revised is not None:
                state["revised"] = _minute(revised).isoformat()
            return Checkpoint(SOURCE, CATEGORY, key=query, since=mark, state=state)

        def report() -> None:
            prog.requests = client.requests - requests0
            if self.progress:
                self.progress(prog)

        try:
            yield from self._windows(query, "submittedDate", start, end, prog, report, marks, checkpoint)
            if since is None and revised_before is not None:
                yield from self._windows(query, "lastUpdatedDate", revised_before - self.overlap, end, prog, report, marks)
            cp = checkpoint(final=True)
            if cp:
                yield cp
            prog.done = True
            report()
        finally:
            prog.requests = client.requests - requests0

    def _windows(self, query, field_, start, end, prog, report, marks, checkpoint=None) -> Iterator[Item]:
        """Read `query` over [start, end] of a date field, window after window, in that date's
        order, keeping the newest date read in `marks` ("submitted" or "revised").
        `checkpoint(final=False)` (when given) bookmarks every page read in order, before the
        next page is fetched."""
        client = self.client
        submitted = field_ == "submittedDate"
        sort = arxiv.SortCriterion.SubmittedDate if submitted else arxiv.SortCriterion.LastUpdatedDate
        mark = "submitted" if submitted else "revised"
        while True:
            prog.windows += 1
            search = arxiv.Search(
                query=window_query(query, start, end, field_),
                max_results=self.window_max,
                sort_by=sort,
                sort_order=arxiv.SortOrder.Ascending,
            )
            got = 0
            pages = client.pages
            in_order = True  # checkpoints mid-window are only safe while dates ascend
            window_newest: Optional[datetime] = None
            in_page = page_len = 0
            for result in client.results(search):
                if client.pages != pages:  # a new page was fetched
                    prog.pages += client.pages - pages
                    pages, in_page, page_len = client.pages, 0, client.page_len
                    if prog.total is None:
                        prog.total = client.first_total
                    yield from self._drain(prog)
                    report()
                got += 1
                in_page += 1
                prog.seen += 1
                when = _utc(result.published if submitted else result.updated)
                if window_newest and when and when < window_newest - timedelta(minutes=1):
                    in_order = False
                if when and (window_newest is None or when > window_newest):
                    window_newest = when
                if when and (marks[mark] is None or when > marks[mark]):
                    marks[mark] = when
                yield from self._record(query, result, prog)
                if checkpoint and in_page == page_len and in_order:
                    # the page is done: bookmark it before the next one is fetched
                    cp = checkpoint(final=False)
                    if cp:
                        yield cp
            prog.pages += client.pages - pages
            if prog.total is None:
                prog.total = client.first_total
            yield from self._drain(prog)
            if got < self.window_max or window_newest is None:
                return  # the window is read to its end
            # a full window: the next one starts at the newest minute read (re-reading that minute
            # is harmless); ascending order guarantees nothing before it was left out
            nxt = _minute(window_newest)
            if nxt <= start:
                nxt = start + timedelta(minutes=1)
                msg = f"more than {self.window_max:,} papers in the minute {start:%Y-%m-%d %H:%M}: some may be missed"
                log.warning("arxiv: %s: %s", query, msg)
                prog.problems.append(msg)
                yield Problem(SOURCE, query, msg)
            if not in_order:
                msg = "results not in date order: a window was cut at its limit and may miss papers"
                prog.problems.append(msg)
                yield Problem(SOURCE, query, msg)
            start = nxt
            if checkpoint:
                cp = checkpoint(final=False)
                if cp:
                    yield cp

    def _drain(self, prog: QueryProgress) -> Iterator[Problem]:
        while self.client.problems:
            msg = self.client.problems.pop(0)
            log.warning("arxiv: %s: %s", prog.query, msg)
            prog.problems.append(msg)
            yield Problem(SOURCE, prog.query, msg)

    def _record(self, query: str, result: arxiv.Result, prog: QueryProgress) -> Iterator[Item]:
        key, version = paper_id(result.entry_id)
        had = self.seen.get(key)
        if had is not None and (version or 0) <= had:
            return  # this paper (this version or a newer one) was already yielded in this run
        try:
            rows, notes = paper_rows(result, max_authors=self.max_authors)
        except Exception as exc:  # noqa: BLE001 — one odd entry must not cost the query
            log.warning("arxiv: %s: cannot read paper %s: %s", query, key, exc)
            yield Problem(SOURCE, key, f"cannot read paper: {type(exc).__name__}: {exc}")
            return
        for note in notes:
            log.warning("arxiv: paper %s: %s", key, note)
            yield Problem(SOURCE, key, note)
        self.seen[key] = version or 0
        prog.papers += 1
        yield Record(SOURCE, "paper", f"arxiv:{key}", key, _utc(result.updated), rows)


# --- crawling into storage ----------------------------------------------------------------

COUNTED = ("paper", "identity", "authorship", "papercode", "repo")


@dataclass
class ArxivStats(Stats):
    """`sourcing.collect.Stats` plus what a crawl of arXiv cost and what it added."""

    queries: list[QueryProgress] = field(default_factory=list)
    new: dict[str, int] = field(default_factory=dict)  # rows that did not exist before, by table
    requests: int = 0
    seconds: float = 0.0

    @property
    def papers(self) -> int:
        return sum(q.papers for q in self.queries)

    @property
    def failed(self) -> list[QueryProgress]:
        return [q for q in self.queries if q.error]

    def as_dict(self) -> dict:
        out = super().as_dict()
        out.update(
            papers=self.papers,
            requests=self.requests,
            seconds=round(self.seconds, 3),
            new=dict(self.new),
            failed=[q.query for q in self.failed],
        )
        return out


def _revised(cursor_row: dict) -> Optional[datetime]:
    try:
        return datetime.fromisoformat((cursor_row.get("state") or {})["revised"])
    except (KeyError, TypeError, ValueError):
        return None


def table_counts(engine: Engine, tables: Iterable[str] = COUNTED) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


@contextmanager
def _quiet_step(name: str) -> Iterator[StepRecord]:
    """A step outside any recorded run: a failure is logged and the next query still runs."""
    rec = StepRecord(name)
    try:
        yield rec
    except Exception:  # noqa: BLE001 — crawl() has logged it and recorded a Problem
        rec.status = "failed"


def crawl(
    engine: Engine,
    config: Any,
    *,
    queries: Optional[Iterable[str]] = None,
    since: Optional[datetime] = None,
    api_url: Optional[str] = None,
    progress: Optional[Callable[[QueryProgress], None]] = None,
    recorder: Optional[RunRecorder] = None,
    delay_seconds: Optional[float] = None,
    now: Optional[datetime] = None,
) -> ArxivStats:
    """Crawl the configured (or given) arXiv queries into storage, one step per query.

    Resumes each query from its stored cursor unless `since` is given; a query that fails is
    recorded (as a fatal Problem, and as a failed step when `recorder` is given) and the others
    carry on. The politeness delay is `config.arxiv.delay_seconds`, or zero when the API is on
    this machine (the offline world), unless `delay_seconds` says otherwise.
    """
    ac = config.arxiv
    url = api_url or ac.api_url
    delay = delay_seconds if delay_seconds is not None else (0.0 if is_local(url) else ac.delay_seconds)
    stored = cursors(engine, SOURCE)
    collector = ArxivCollector(
        list(queries) if queries else ac.queries,
        api_url=url,
        page_size=ac.page_size,
        delay_seconds=delay,
        num_retries=ac.num_retries,
        window_max=ac.max_results_per_query,
        history_days=ac.history_days,
        cursors={key: row["since"] for (cat, key), row in stored.items() if cat == CATEGORY},
        revised={key: _revised(row) for (cat, key), row in stored.items() if cat == CATEGORY},
        now=now,
        progress=progress,
    )
    stats = ArxivStats()
    before = table_counts(engine)
    t0 = time.monotonic()
    for query in collector.queries:
        step_cm = recorder.step(f"arxiv: {query}") if recorder else _quiet_step(f"arxiv: {query}")
        with step_cm as step:
            sink = Sink(engine, stats=stats)  # a fresh buffer: a failed query's rows never poison the next
            collector.current = None
            try:
                for item in collector.fetch_query(query, since):
                    sink.add(item)
            except Exception as exc:
                prog = collector.current or QueryProgress(query)
                prog.error = f"{type(exc).__name__}: {exc}"
                prog.done = True
                stats.problems.append(Problem(SOURCE, query, f"query failed: {prog.error}", fatal=True))
                if progress:
                    progress(prog)
                if recorder is None:
                    log.error("arxiv: query %r failed: %s", query, prog.error)
                raise QueryFailed(prog.error) from exc
            finally:
                try:
                    sink.flush()  # papers read after the last checkpoint: stored, cursor untouched
                except Exception as exc:  # noqa: BLE001
                    log.error("arxiv: query %r: could not store its last papers: %s", query, exc)
                prog = collector.current or QueryProgress(query)
                if not any(q is prog for q in stats.queries):
                    stats.queries.append(prog)
                step.counts = {
                    "papers": prog.papers,
                    "pages": prog.pages,
                    "requests": prog.requests,
                    "windows": prog.windows,
                }
                step.warnings.extend(prog.problems[:50])
    stats.requests = collector.client.requests
    stats.seconds = time.monotonic() - t0
    after = table_counts(engine)
    stats.new = {t: after[t] - before[t] for t in COUNTED}
    return stats
