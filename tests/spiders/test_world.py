"""Every spider against the offline world's sites (sourcing.world.sites over a generated world):
what is stored equals the world's truth; the CLI records a Run; bad pages become warnings and
errors on the run, never silence, and never lose what was stored.

One child-process crawl of all default sites for the module, one CLI run, one bad-input crawl.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from spiderkit import serve, talks_config


@pytest.fixture(scope="module")
def world():
    from sourcing.world.generate import generate

    return generate(400, 7)


@pytest.fixture(scope="module")
def crawled(world, tmp_path_factory):
    from sourcing.world import sites
    from spiders.runner import crawl
    from storage import ensure_schema, make_engine

    tmp = tmp_path_factory.mktemp("world")
    db_url = f"sqlite:///{tmp / 'w.db'}"
    events = []
    with serve(lambda h, p, q: sites.handle(world, h, p, q)) as base:
        result = crawl(talks_config(), db_url, mirror=base, state_dir=tmp / "state", progress=events.append)
    engine = make_engine(db_url)
    ensure_schema(engine)
    yield {"result": result, "engine": engine, "events": events, "db_url": db_url}
    engine.dispose()


def q(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_every_default_site_is_served_and_crawled(world, crawled):
    from sourcing.config import TalksConfig

    r = crawled["result"]
    assert r["status"] == "ok" and r["exit_code"] == 0, r["errors"] + r["warnings"]
    assert [s["url"] for s in r["sites"]] == [s.url for s in TalksConfig().sites]
    for s in r["sites"]:
        assert s["finish_reason"] == "finished" and s["errors"] == [] and s["warnings"] == []
    # the child's progress reached the parent: one site_done per site
    assert sorted(e["sites"][0] for e in crawled["events"] if e["event"] == "site_done") == sorted(
        s.url for s in TalksConfig().sites
    )


def test_stored_talks_and_speakers_equal_the_worlds_truth(world, crawled):
    eng = crawled["engine"]
    truth_talks = {(ev.key, t.code) for ev in world.events for t in ev.talks}
    stored = {tuple(k.split("/", 1)) for (k,) in q(eng, "select key from talk")}
    assert stored == truth_talks
    truth_ids = {(s, k) for p in world.people for s, k in p.identities if s in ("talks", "proceedings")}
    got_ids = set(q(eng, "select source, external_key from identity"))
    assert got_ids == truth_ids
    totals = crawled["result"]["totals"]
    assert totals["talk"] == len(truth_talks)
    assert totals["speaker"] == sum(len(t.speakers) for ev in world.events for t in ev.talks)
    assert totals["paper"] == sum(len(v.papers) for v in world.volumes)
    assert q(eng, "select count(*) from speaking") == [(totals["speaker"],)]
    assert q(eng, "select count(*) from authorship") == [(totals["author"],)]


def test_github_handles_found_on_pretalx_are_the_speakers_own(world, crawled):
    eng = crawled["engine"]
    by_key = {}
    for p in world.people:
        for s, k in p.identities:
            by_key[(s, k)] = p
    found = 0
    for ext, handles in q(eng, "select external_key, handles from identity where source = 'talks' and handles is not null"):
        h = json.loads(handles)
        if "github" in h:
            found += 1
            person = by_key[("talks", ext)]
            assert person.github is not None and h["github"] == person.github.login, ext
    # every pretalx speaker whose profile mentions a GitHub login has it as a handle
    expected = sum(
        1 for ev in world.events if ev.platform == "pretalx" for t in ev.talks for s in t.speakers
        if any(x.github for tt in ev.talks for x in tt.speakers if x.code == s.code)
    )
    assert found >= expected > 0


def test_second_crawl_changes_nothing(world, crawled, tmp_path):
    from sourcing.world import sites
    from spiders.runner import crawl

    eng = crawled["engine"]
    tables = ["event", "talk", "identity", "speaking", "paper", "authorship"]
    before = {t: q(eng, f"select count(*) from {t}")[0][0] for t in tables}
    with serve(lambda h, p, q_: sites.handle(world, h, p, q_)) as base:
        again = crawl(talks_config(), crawled["db_url"], spider="pyvideo", mirror=base, state_dir=tmp_path)
    assert again["status"] == "ok"
    assert {t: q(eng, f"select count(*) from {t}")[0][0] for t in tables} == before


def test_cli_crawl_talks_records_a_run(world, tmp_path):
    from typer.testing import CliRunner

    from sourcing.cli import app
    from sourcing.world import sites
    from storage import make_engine

    db = tmp_path / "cli.db"
    ev = next(e for e in world.events if e.platform == "frab")
    with serve(lambda h, p, q_: sites.handle(world, h, p, q_)) as base:
        out = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", "crawl", "talks", "--url", f"{base}{ev.host}/{ev.path}"])
    assert out.exit_code == 0, out.output
    assert "talk crawl" in out.output and "fosdem.org" in out.output
    eng = make_engine(f"sqlite:///{db}")
    runs = q(eng, "select r.kind, r.status, s.name, s.counts from run r join runstep s on s.run_id = r.id")
    assert runs[0][:3] == ("crawl", "ok", "talks")
    assert json.loads(runs[0][3])["talk"] == len(ev.talks)
    eng.dispose()


def test_cli_rejects_bad_input():
    from typer.testing import CliRunner

    from sourcing.cli import app

    out = CliRunner().invoke(app, ["--db", "sqlite://", "crawl", "talks", "--spider", "nope"])
    assert out.exit_code == 2 and "unknown spider" in out.output
    out = CliRunner().invoke(app, ["--db", "sqlite://", "crawl", "talks", "--url", "ftp://x/y"])
    assert out.exit_code == 2 and "not an http(s) URL" in out.output


# --- bad input -----------------------------------------------------------------------------

BROKEN_EVENT = b"""<html><body><h2>Event: Broken Conf<ul class="content-list"><li><article class="list_item">
<a href="/broken-2024/a-talk.html">A talk</a><li><article class="list_item"><a href="/broken-2024/latin.html">L</a>
<li><article class="list_item"><a href="/broken-2024/no-title.html">N</a>
<li><article class="list_item"><a href="/broken-2024/huge.html">H</a>
<li><article class="list_item"><a href="/broken-2024/gone.html">G</a>"""
BROKEN_TALK = b"""<html><body><section id="content"><h2 class="entry-title"><a href="#">A talk <b>unclosed
<footer class="post-info"><address class="vcard author">By <a class="url fn" href="/speaker/jo.html">Jo Doe</a>
<a class="url fn" href="/speaker/x.html">Various speakers</a><div class="entry-content"><p>About <i>things"""
LATIN = "<html><head><meta charset='iso-8859-1'></head><body><h2 class='entry-title'>Caf\xe9 analytics</h2><address class='vcard author'><a class='url fn' href='/speaker/r.html'>Ren\xe9e M\xfcller</a></address></body></html>".encode("latin-1")


def bad_handler(host, path, query):
    html = {"Content-Type": "text/html"}
    if path == "robots.txt":
        return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
    pages = {
        ("pyvideo.org", "events/broken-2024.html"): (200, html, BROKEN_EVENT),
        ("pyvideo.org", "broken-2024/a-talk.html"): (200, html, BROKEN_TALK),
        ("pyvideo.org", "broken-2024/latin.html"): (200, {"Content-Type": "text/html; charset=iso-8859-1"}, LATIN),
        ("pyvideo.org", "broken-2024/no-title.html"): (200, html, b"<html><body><p>nothing here</p></body></html>"),
        ("pyvideo.org", "broken-2024/huge.html"): (200, html, b"<html>" + b"x" * 300_000 + b"</html>"),
        ("pyvideo.org", "events/moved-2024.html"): (200, html, b"<html><body><div class='new-layout'>Talks moved</div></body></html>"),
        ("proceedings.mlr.press", "v999/"): (200, html, b"<html><body><h1>Volume 999</h1><table></table></body></html>"),
        ("schedule.example.org", "2024/schedule.xml"): (200, {"Content-Type": "application/xml"}, b"<schedule><conference><acronym>ex24</acronym></conference><day date='2024-01-01'><room name='A'><event id='1'><title>Only title</title></event></room></day></schedule>"),
    }
    return pages.get((host, path), (404, html, b"not found"))


def test_bad_pages_become_warnings_and_errors_not_silence(tmp_path):
    from spiders.runner import crawl
    from storage import make_engine

    db_url = f"sqlite:///{tmp_path / 'bad.db'}"
    urls = ["https://pyvideo.org/events/broken-2024.html", "https://pyvideo.org/events/moved-2024.html",
            "https://proceedings.mlr.press/v999/", "https://schedule.example.org/2024/schedule.xml",
            "https://pretalx.example.org/gone-2024/", "https://pyvideo.org/private/events/hidden.html"]
    with serve(bad_handler) as base:
        r = crawl(talks_config(), db_url, urls=urls, mirror=base, state_dir=tmp_path / "state",
                  settings={"DOWNLOAD_MAXSIZE": 100_000, "DOWNLOAD_WARNSIZE": 50_000})
        hits = list(serve.hits)
    assert r["status"] == "partial" and r["exit_code"] == 1
    site = {s["url"]: s for s in r["sites"]}
    broken = site[urls[0]]
    # broken HTML parsed, non-UTF-8 decoded, a page without a title and a huge page reported
    assert broken["items"] == {"event": 1, "talk": 2, "speaker": 2}
    assert any("without a title" in w for w in broken["warnings"])
    assert any("huge.html" in e for e in broken["errors"]) and any("gone.html" in e and "404" in e for e in broken["errors"])
    assert any("no talk links" in w for w in site[urls[1]]["warnings"])  # a layout that changed
    assert any("no div.paper" in w for w in site[urls[2]]["warnings"])
    assert site[urls[3]]["items"] == {"event": 1, "talk": 1}  # missing fields: a talk with a title only
    assert any("404" in e for e in site[urls[4]]["errors"])
    assert site[urls[5]]["items"] == {} and "/sites/pyvideo.org/private/events/hidden.html" not in hits  # robots.txt obeyed
    eng = make_engine(db_url)
    names = {n for (n,) in q(eng, "select name from identity")}
    assert names == {"Jo Doe", "Renée Müller"}
    assert q(eng, "select title from talk where key = 'broken-2024/latin'") == [("Café analytics",)]

    # the same site with a changed layout later: a warning, and nothing stored is lost
    def moved(host, path, query):
        if path == "events/broken-2024.html":
            return 200, {"Content-Type": "text/html"}, b"<html><body>redesigned</body></html>"
        return bad_handler(host, path, query)

    with serve(moved) as base:
        r2 = crawl(talks_config(), db_url, urls=urls[:1], mirror=base, state_dir=tmp_path / "state")
    assert r2["status"] == "failed" and any("no talk links" in w for w in r2["warnings"])
    assert q(eng, "select count(*) from talk where key like 'broken-2024/%'") == [(2,)]
    eng.dispose()
