"""The arXiv collector against real recorded Atom entries (../shared/corpus/arxiv/atom_xml),
served by a small local HTTP server that answers the way export.arxiv.org does: `cat:` terms,
submittedDate windows, sortBy=submittedDate, start/max_results paging, and faults on demand.
The real `arxiv` Client does the fetching; nothing is mocked."""

from __future__ import annotations

import copy
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree
from sqlalchemy import select

from sourcing.config import Config
from sourcing.sources.arxiv import crawl
from storage import models as m

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
NOW = datetime(2026, 5, 1, tzinfo=timezone.utc)
ALL = datetime(2000, 1, 1, tzinfo=timezone.utc)
WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")
ANY_WINDOW = re.compile(r"(submittedDate|lastUpdatedDate):\[(\d{12}) TO (\d{12})\]")


def _published(e) -> datetime:
    return datetime.fromisoformat(e.findtext("atom:published", namespaces=NS).replace("Z", "+00:00"))


def _updated(e) -> datetime:
    return datetime.fromisoformat(e.findtext("atom:updated", namespaces=NS).replace("Z", "+00:00"))


def _cats(e) -> set[str]:
    return {c.get("term") for c in e.iterfind("atom:category", NS)}


class MiniArxiv:
    """Serves a list of Atom <entry> elements as the arXiv API would; `fault(params)` may answer
    a request instead ((status, body) or None)."""

    def __init__(self, entries):
        self.entries = list(entries)
        self.requests: list[dict] = []
        self.fault = lambda params, n: None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                outer.requests.append(params)
                answer = outer.fault(params, len(outer.requests)) or (200, outer.page(params))
                try:
                    self.send_response(answer[0])
                    self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(answer[1])))
                    self.end_headers()
                    self.wfile.write(answer[1])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/query"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def match(self, query: str) -> list:
        out = self.entries
        w = ANY_WINDOW.search(query)
        if w:
            lo, hi = (datetime.strptime(x, "%Y%m%d%H%M").replace(tzinfo=timezone.utc) for x in w.groups()[1:])
            hi += timedelta(minutes=1)
            date = _published if w.group(1) == "submittedDate" else _updated
            out = [e for e in out if lo <= date(e) < hi]
        for cat in re.findall(r"cat:([\w.-]+)", query):
            out = [e for e in out if cat in _cats(e)]
        return out

    def page(self, params: dict) -> bytes:
        found = self.match(params.get("search_query", ""))
        if params.get("sortBy") in ("submittedDate", "lastUpdatedDate"):
            date = _published if params["sortBy"] == "submittedDate" else _updated
            found = sorted(found, key=date, reverse=params.get("sortOrder") == "descending")
        start, size = int(params.get("start", 0)), int(params.get("max_results", 10))
        body = b"".join(etree.tostring(e) for e in found[start : start + size])
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns="{NS["atom"]}" xmlns:opensearch="{NS["opensearch"]}" xmlns:arxiv="{NS["arxiv"]}">'
            "<id>https://arxiv.org/api/test</id><title>arXiv Query</title>"
            f"<opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>"
            f"<opensearch:totalResults>{len(found)}</opensearch:totalResults>"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>"
        )
        return head.encode() + body + b"</feed>"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def load_entries(corpus) -> list:
    """Every distinct real entry of the recorded responses (the 400 error entry left out)."""
    seen: dict[str, object] = {}
    for f in sorted((corpus / "arxiv" / "atom_xml").glob("*.xml")):
        root = etree.fromstring(f.read_bytes())
        for e in root.iterfind("atom:entry", NS):
            if e.find("atom:published", NS) is not None:
                seen.setdefault(e.findtext("atom:id", namespaces=NS), e)
    return list(seen.values())


def variant(entry, *, id=None, published=None, updated=None, comment=None, summary=None, authors=None, title=...):
    """A copy of a real entry with some fields changed, for cases the recordings lack."""
    e = copy.deepcopy(entry)
    if id:
        e.find("atom:id", NS).text = f"http://arxiv.org/abs/{id}"
    if published:
        e.find("atom:published", NS).text = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    if updated or published:
        e.find("atom:updated", NS).text = (updated or published).strftime("%Y-%m-%dT%H:%M:%SZ")
    if comment is not None:
        c = e.find("arxiv:comment", NS)
        if c is None:
            c = etree.SubElement(e, f"{{{NS['arxiv']}}}comment")
        c.text = comment
    if summary is not None:
        e.find("atom:summary", NS).text = summary
    if title is not ...:
        t = e.find("atom:title", NS)
        if title is None:
            e.remove(t)
        else:
            t.text = title
    if authors is not None:
        for a in e.findall("atom:author", NS):
            e.remove(a)
        for name in authors:
            a = etree.SubElement(e, f"{{{NS['atom']}}}author")
            etree.SubElement(a, f"{{{NS['atom']}}}name").text = name
    return e


@pytest.fixture
def entries(corpus):
    return load_entries(corpus)


@pytest.fixture
def server(entries):
    srv = MiniArxiv(entries)
    yield srv
    srv.close()


def config(**arxiv) -> Config:
    base = {"page_size": 10, "max_results_per_query": 2000, "num_retries": 2, "queries": ["all:testing"]}
    return Config.model_validate({"arxiv": {**base, **arxiv}})


def rows(engine, model, *cols):
    t = model.__table__
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(*(t.c[x] for x in cols)))]


def count(engine, model) -> int:
    return len(rows(engine, model, "id"))


def cursor(engine, query):
    t = m.Cursor.__table__
    with engine.connect() as c:
        return c.execute(select(t.c.since).where(t.c.source == "arxiv", t.c.key == query)).scalar()


# --- tests ----------------------------------------------------------------------------------


def test_a_query_pages_through_to_the_end(engine, server, entries):
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)

    n = len(entries)
    assert n > 100  # the recordings hold 105 distinct papers
    assert count(engine, m.Paper) == n
    assert stats.papers == n and stats.new["paper"] == n
    # pages of 10, read to the end: ceil(n/10) requests, starts 0, 10, 20, ...
    assert [int(r["start"]) for r in server.requests] == list(range(0, n, 10))
    assert stats.requests == len(server.requests)
    newest = max(_published(e) for e in entries).replace(second=0)
    assert cursor(engine, "all:testing").replace(tzinfo=timezone.utc) == newest
    q = stats.queries[0]
    assert (q.pages, q.windows, q.done, q.error) == (len(server.requests), 1, True, None)


def test_fields_of_real_papers_are_stored(engine, server):
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)

    with engine.connect() as c:
        p = c.execute(select(m.Paper.__table__).where(m.Paper.key == "astro-ph/0601001")).one()
        assert p.version == 1 and p.primary_category == "astro-ph"
        assert p.journal_ref == "ActaAstron.56:1-50,2006"
        assert p.url == "https://arxiv.org/abs/astro-ph/0601001" and p.pdf_url.endswith("0601001v1")
        assert p.published.replace(tzinfo=timezone.utc) == datetime(2006, 1, 2, 14, 57, 58, tzinfo=timezone.utc)
        a = m.Authorship.__table__
        i = m.Identity.__table__
        authors = c.execute(
            select(a.c.position, i.c.name, i.c.external_key, a.c.affiliation)
            .join(i, i.c.id == a.c.identity_id)
            .where(a.c.paper_id == p.id)
            .order_by(a.c.position)
        ).all()
        assert [x.external_key for x in authors] == [f"astro-ph/0601001#{k}" for k in range(4)]
        assert [x.affiliation for x in authors] == ["Ohio State", "Ohio State", "CfA", "Warsaw University Observatory"]

        # 34 authors, in feed order; primary category first
        q = c.execute(select(m.Paper.__table__).where(m.Paper.key == "1707.08567")).one()
        assert q.categories[0] == q.primary_category == "cs.IT"
        n = c.execute(select(a.c.position).where(a.c.paper_id == q.id)).all()
        assert sorted(x[0] for x in n) == list(range(34))

        d = c.execute(select(m.Paper.__table__).where(m.Paper.key == "2202.12139")).one()
        assert d.doi == "10.1109/ICSTW55395.2022.00035" and "ICST 2022" in d.comment
        assert d.categories == ["cs.SE", "cs.LG"]
        assert "\n" not in d.abstract


def test_github_link_in_a_real_comment_is_tied_to_a_repo(engine, server):
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)

    pc = m.PaperCode.__table__
    r = m.Repo.__table__
    p = m.Paper.__table__
    with engine.connect() as c:
        got = c.execute(
            select(p.c.key, pc.c.url, r.c.full_name, r.c.host)
            .join(pc, pc.c.paper_id == p.c.id)
            .join(r, r.c.id == pc.c.repo_id)
        ).all()
    assert [tuple(x) for x in got] == [
        ("1706.00679", "https://github.com/ydecastro/super-resolution-testing", "ydecastro/super-resolution-testing", "github")
    ]


def test_a_rerun_adds_nothing_and_starts_near_the_cursor(engine, server, entries):
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    before = {t: count(engine, mod) for t, mod in [("p", m.Paper), ("i", m.Identity), ("a", m.Authorship), ("c", m.PaperCode)]}
    mark = cursor(engine, "all:testing")
    server.requests.clear()

    stats = crawl(engine, config(), api_url=server.url, now=NOW)  # from the cursor

    assert stats.new == {"paper": 0, "identity": 0, "authorship": 0, "papercode": 0, "repo": 0}
    after = {t: count(engine, mod) for t, mod in [("p", m.Paper), ("i", m.Identity), ("a", m.Authorship), ("c", m.PaperCode)]}
    assert after == before
    # two requests: submissions from three days before the newest one stored, then revisions
    assert [ANY_WINDOW.search(r["search_query"]).group(1, 2) for r in server.requests] == [
        ("submittedDate", (mark - timedelta(days=3)).strftime("%Y%m%d%H%M")),
        ("lastUpdatedDate", (mark - timedelta(days=3)).strftime("%Y%m%d%H%M")),
    ]
    assert cursor(engine, "all:testing") == mark  # never moved back by the overlap


def test_a_new_version_of_an_old_paper_is_picked_up_by_the_next_run(engine, server, entries):
    base = entries[0]
    old = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    server.entries = [
        variant(base, id="2601.00001v1", published=old, title="First version", authors=["A. Author", "B. Author"]),
        variant(base, id="2604.00002v1", published=datetime(2026, 4, 20, tzinfo=timezone.utc)),
    ]
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    # months later the January paper gets a second version; no new submission
    server.entries[0] = variant(
        base, id="2601.00001v2", published=old, updated=datetime(2026, 4, 30, tzinfo=timezone.utc),
        title="Second version", authors=["A. Author", "B. Author", "C. Newcomer"],
    )
    stats = crawl(engine, config(), api_url=server.url, now=NOW)
    assert rows(engine, m.Paper, "key", "version", "title")[0] == ("2601.00001", 2, "Second version")
    assert dict(rows(engine, m.Identity, "external_key", "name"))["2601.00001#2"] == "C. Newcomer"
    assert stats.new["paper"] == 0 and stats.new["identity"] == 1


def test_since_overrides_the_cursor(engine, server):
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    server.requests.clear()
    crawl(engine, config(), api_url=server.url, since=datetime(2010, 6, 1, tzinfo=timezone.utc), now=NOW)
    assert WINDOW.search(server.requests[0]["search_query"]).groups() == ("201006010000", "202605010000")


def test_a_long_history_is_split_into_windows_of_the_limit(engine, server, entries):
    stats = crawl(engine, config(max_results_per_query=25), api_url=server.url, since=ALL, now=NOW)

    assert count(engine, m.Paper) == len(entries)
    q = stats.queries[0]
    assert q.windows >= 5  # 105 papers, at most 25 per window
    windows = {r["search_query"] for r in server.requests}
    assert len(windows) == q.windows
    # no window is read past its limit, and each starts where the last one ended
    assert max(int(r["start"]) for r in server.requests) < 25
    starts = sorted(WINDOW.search(w).group(1) for w in windows)
    assert starts[0] == "200001010000" and len(set(starts)) == len(starts)


def test_a_failing_query_is_recorded_and_the_others_carry_on(engine, server):
    from sourcing.runs import record_run

    server.fault = lambda params, n: (500, b"oops") if "cat:broken" in params["search_query"] else None
    with record_run(engine, "crawl") as run:
        stats = crawl(
            engine, config(), queries=["cat:broken", "cat:cs.LG"], api_url=server.url, since=ALL, now=NOW, recorder=run
        )
    assert [q.query for q in stats.failed] == ["cat:broken"]
    assert "HTTP 500" in stats.failed[0].error and stats.failed[0].requests == 3
    assert [p.where for p in stats.problems if p.fatal] == ["cat:broken"]
    # three tries (1 + num_retries) for the broken query, then cs.LG was crawled anyway
    assert sum("cat:broken" in r["search_query"] for r in server.requests) == 3
    assert count(engine, m.Paper) > 0 and cursor(engine, "cat:cs.LG") is not None
    assert cursor(engine, "cat:broken") is None
    with engine.connect() as c:
        status = c.execute(select(m.Run.__table__.c.status)).scalar()
        steps = {s.name: (s.status, s.error) for s in c.execute(select(m.RunStep.__table__))}
    assert status == "partial"
    assert steps["arxiv: cat:cs.LG"][0] == "ok"
    assert steps["arxiv: cat:broken"][0] == "failed" and "500" in steps["arxiv: cat:broken"][1]


def test_transient_errors_and_empty_pages_are_retried_by_the_client(engine, server, entries):
    def flaky(params, n):
        if n in (1, 4):
            return 503, b"busy"
        if n == 6:  # arXiv's habit: an empty page in the middle of a result set
            return 200, MiniArxiv.page(server, {**params, "start": "100000"})
        return None

    server.fault = flaky
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    assert not stats.failed
    assert count(engine, m.Paper) == len(entries)
    assert stats.requests == len(server.requests) == 11 + 3


def test_an_unreadable_page_keeps_what_was_stored_before_it(engine, server, entries):
    # the third page is never a feed: the first two pages stay stored, with a cursor after them
    server.fault = lambda params, n: (200, b"<html><body>Service unavailable</body></html>") if params["start"] == "20" else None
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)

    assert stats.failed and count(engine, m.Paper) == 20
    first20 = sorted(entries, key=_published)[:20]
    assert cursor(engine, "all:testing").replace(tzinfo=timezone.utc) == _published(first20[-1]).replace(second=0)
    # the next run picks up from there and completes
    server.fault = lambda params, n: None
    crawl(engine, config(), api_url=server.url, now=NOW)
    assert count(engine, m.Paper) == len(entries)


def test_a_garbage_first_page_is_an_error_not_an_empty_result(engine, server):
    server.fault = lambda params, n: (200, b"<html>maintenance</html>")
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    assert stats.failed and "unreadable feed" in stats.failed[0].error
    assert len(server.requests) == 3  # retried like any other failure
    assert cursor(engine, "all:testing") is None and count(engine, m.Paper) == 0


def test_a_truncated_page_loses_nothing(engine, server, entries):
    # the body stops in the middle of an entry: the readable ones are kept, the client asks for
    # the rest from where they end
    def cut(params, n):
        if n == 2:
            body = MiniArxiv.page(server, params)
            return 200, body[: int(len(body) * 0.55)]
        return None

    server.fault = cut
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    assert not stats.failed
    assert count(engine, m.Paper) == len(entries)
    assert any("unreadable" in p.message for p in stats.problems)


def test_odd_papers_are_stored_with_a_clear_problem(engine, server, entries):
    base = entries[0]
    t = datetime(2026, 4, 20, 12, 0, tzinfo=timezone.utc)
    server.entries = [
        variant(base, id="2604.00001v2", published=t, comment="This paper has been withdrawn by the author"),
        variant(base, id="2604.00002v1", published=t, authors=[f"Physicist {i}" for i in range(2500)]),
        variant(
            base, id="2604.00003v1", published=t, title=None,
            authors=["Zoë Ağaoğlu-Ñúñez", "", "李小龙", "X" * 5000, "  Jean-Luc\n  Picard "],
        ),
        variant(
            base, id="2604.00004v1", published=t,
            summary="Code: \\url{https://gitlab.com/group/sub/proj/-/tree/main} and github.com/Org/Tool.",
        ),
    ]
    stats = crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    assert not stats.failed and count(engine, m.Paper) == 4
    got = dict(rows(engine, m.Paper, "key", "withdrawn"))
    assert got == {"2604.00001": True, "2604.00002": False, "2604.00003": False, "2604.00004": False}

    problems = {(p.where, p.message) for p in stats.problems}
    assert ("2604.00002", "2,500 authors: kept the first 1,000") in problems
    assert ("2604.00003", "author #1 has no name: slot skipped") in problems
    assert ("2604.00003", "author #3 name is 5,000 characters: cut to 300") in problems
    assert ("2604.00003", "no title") in problems

    names = dict(rows(engine, m.Identity, "external_key", "name"))
    assert names["2604.00003#0"] == "Zoë Ağaoğlu-Ñúñez" and names["2604.00003#2"] == "李小龙"
    assert "2604.00003#1" not in names and len(names["2604.00003#3"]) == 300
    assert names["2604.00003#4"] == "Jean-Luc Picard"
    assert sum(k.startswith("2604.00002#") for k in names) == 1000

    repos = {r[0]: r[1] for r in rows(engine, m.Repo, "full_name", "host")}
    assert repos == {"gitlab.com/group/sub/proj": "gitlab", "Org/Tool": "github"}
    assert sorted(r[0] for r in rows(engine, m.PaperCode, "url")) == [
        "https://github.com/Org/Tool", "https://gitlab.com/group/sub/proj"
    ]


def test_versions_collapse_newest_wins(engine, server, entries):
    base = entries[0]
    t = datetime(2026, 4, 20, 12, 0, tzinfo=timezone.utc)
    server.entries = [
        variant(base, id="2604.00009v1", published=t, title="Old title"),
        variant(base, id="2604.00009v3", published=t, title="Newest title"),
        variant(base, id="2604.00009v2", published=t, title="Middle title"),
    ]
    crawl(engine, config(), api_url=server.url, since=ALL, now=NOW)
    assert rows(engine, m.Paper, "key", "version", "title") == [("2604.00009", 3, "Newest title")]


def test_papers_in_two_queries_are_read_once(engine, server, entries):
    stats = crawl(engine, config(), queries=["cat:cs.LG", "cat:cs.SE"], api_url=server.url, since=ALL, now=NOW)
    both = [e for e in entries if {"cs.LG", "cs.SE"} <= _cats(e)]
    assert both  # the recordings have cross-listed papers
    lg, se = stats.queries
    assert lg.papers + se.papers == count(engine, m.Paper)
    assert se.seen - se.papers == len(both)


# --- the command ------------------------------------------------------------------------------


def _cli(args, db_url, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from sourcing.cli import app

    for var in ("SOURCING_CONFIG", "SOURCING_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sourcing.toml").write_text('[arxiv]\npage_size = 10\nnum_retries = 1\nqueries = ["all:testing"]\n')
    res = CliRunner().invoke(app, ["--db", db_url, "crawl", "arxiv", *args])
    res.text = " ".join(res.output.split())  # the console wraps long lines
    return res


def test_cli_crawls_records_a_run_and_summarises(engine, db_url, server, entries, monkeypatch, tmp_path):
    res = _cli(["--api-url", server.url, "--since", "2000-01-01"], db_url, monkeypatch, tmp_path)
    assert res.exit_code == 0, res.output
    assert "0s between requests" in res.text  # no politeness delay against this machine
    assert f"{len(entries)} papers read in 11 requests" in res.text
    assert f"new: {len(entries)} papers" in res.text
    with engine.connect() as c:
        run = c.execute(select(m.Run.__table__)).one()
        steps = c.execute(select(m.RunStep.__table__)).all()
    assert (run.kind, run.status) == ("crawl", "ok")
    assert [(s.name, s.status, s.counts["papers"]) for s in steps] == [("arxiv: all:testing", "ok", len(entries))]

    again = _cli(["--api-url", server.url], db_url, monkeypatch, tmp_path)  # resumes: nothing new
    assert again.exit_code == 0 and "new: 0 papers, 0 author slots" in again.text


def test_cli_failing_query_exit_code_and_bad_input(engine, db_url, server, monkeypatch, tmp_path):
    server.fault = lambda params, n: (500, b"") if "cat:broken" in params["search_query"] else None
    res = _cli(["--api-url", server.url, "-q", "cat:broken", "-q", "cat:cs.LG", "--since", "2000-01-01"], db_url, monkeypatch, tmp_path)
    assert res.exit_code == 1, res.output
    assert "1 of 2 queries failed" in res.text

    bad = _cli(["--since", "last tuesday"], db_url, monkeypatch, tmp_path)
    assert bad.exit_code == 2 and "--since takes a date like 2025-01-31" in bad.text


def test_arxivs_real_400_error_feed_fails_the_query_clearly(engine, server, corpus):
    # the API's answer to a malformed id: HTTP 400 with one <entry> carrying the error
    import json

    rec = json.loads(next((corpus / "arxiv" / "arxiv_py_fixtures").glob("id_abc_*.json")).read_text())
    assert rec["status_code"] == 400
    server.fault = lambda params, n: (400, rec["body"].encode("latin-1")) if "ti:abc" in params["search_query"] else None
    stats = crawl(engine, config(num_retries=0), queries=["ti:abc", "cat:math.CO"], api_url=server.url, since=ALL, now=NOW)
    assert [q.query for q in stats.failed] == ["ti:abc"] and "HTTP 400" in stats.failed[0].error
    assert ("1605.08386",) in rows(engine, m.Paper, "key")  # the math.CO query carried on


def test_the_contract_path_and_a_hung_server(engine, server, entries):
    # run_collector drains fetch() like any source; a query whose server never answers times out
    # (the arxiv package sets no timeout of its own) and the next query still runs
    import time

    from sourcing.collect import run_collector
    from sourcing.sources.arxiv import ArxivCollector

    def hang(params, n):
        if "cat:slow" in params["search_query"]:
            time.sleep(1.5)
        return None

    server.fault = hang
    collector = ArxivCollector(
        ["cat:slow", "all:testing"], api_url=server.url, page_size=50, delay_seconds=0, num_retries=0,
        timeout=0.5, now=NOW,
    )
    stats = run_collector(engine, collector, since=ALL)
    assert [(p.where, p.fatal) for p in stats.problems] == [("cat:slow", True)]
    assert "timed out" in stats.problems[0].message
    assert count(engine, m.Paper) == len(entries) and stats.checkpoints >= 3
