"""The spiders against real recorded data (../shared/corpus), served by a local HTTP server as
the real sites serve it: the FOSDEM pentabarf excerpt and the EuroPython 2014 programme XML as
recorded, PyConFR 2025's real pretalx submission and speaker objects through pretalx's API
pagination, the 618 real PyVideo records as pyvideo.org pages, PMLR volume 199 as its pages.

One crawl (one child process) for the module; every test reads the database it filled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from spiderkit import front_matter, serve, talks_config

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
# (talks, speaker slots) per PyVideo event; "Various/Multiple speakers" are not people. Three of
# the ten recorded events are crawled (all 618 pages cost ~30 s on a busy machine).
PYVIDEO_ALL = {
    "euroscipy-2019": (50, 54), "pycon-de-2023": (41, 49), "pydata-berlin-2019": (70, 75),
    "pydata-berlin-2023": (71, 84), "pydata-london-2019": (52, 59), "pydata-new-york-city-2019": (70, 88),
    "pytorchconf-2023": (67, 104), "scipy-2019": (102, 182), "scipy-2023": (59, 125), "uai-2023": (36, 149),
}
PYVIDEO_EVENTS = {k: PYVIDEO_ALL[k] for k in ("pydata-london-2019", "scipy-2023", "uai-2023")}
PRETALX = "https://cfp.pycon.fr/pyconfr-2025/"
FOSDEM = "https://fosdem.org/2018/schedule/xml"
EP2014 = "https://ep2014.europython.eu/en/schedule/schedule.xml"
PMLR = "https://proceedings.mlr.press/v199/"


def corpus_handler(corpus: Path):
    """host, path, query -> (status, headers, body) over the real recorded files."""
    from sourcing.world import sites

    sched = corpus / "talks" / "schedules"
    pconf = json.loads((sched / "pyconfr2025_pretalx_submissions.json").read_text(encoding="utf-8"))
    subs: dict[str, dict] = {}
    for tree in (pconf["schedule"], pconf["sprints"]):
        for day in tree.values():
            for minute in day.values():
                for sub in minute.values():
                    subs.setdefault(sub["code"], sub)
    event = {"name": {"en": "PyConFR 2025", "fr": "PyConFR 2025"}, "slug": "pyconfr-2025", "is_public": True,
             "date_from": "2025-10-30", "date_to": "2025-11-02", "timezone": "Europe/Paris"}
    pyvideo = {}
    for d in sorted((corpus / "talks" / "pyvideo").iterdir()):
        if (d / "category.json").exists() and (d / "videos").is_dir():
            title = json.loads((d / "category.json").read_text(encoding="utf-8"))["title"]
            talks = [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in sorted((d / "videos").glob("*.json"))]
            pyvideo[d.name] = (title, talks)
    vol = corpus / "proceedings" / "pmlr_v199"
    cfg = (vol / "_config.yml").read_text(encoding="utf-8")
    meta = {"volume": "199", "booktitle": re.search(r"^booktitle: (.+)$", cfg, re.M).group(1),
            "shortname": "CoLLAs 2022", "published": "2022-11-28", "editors": ["Sarath Chandar", "Razvan Pascanu", "Doina Precup"]}
    records = [front_matter(p) for p in sorted((vol / "_posts").glob("*.md"))]
    xml = {"fosdem.org": {"2018/schedule/xml": (sched / "fosdem2018_schedule_excerpt.pentabarf.xml").read_bytes()},
           "ep2014.europython.eu": {"en/schedule/schedule.xml": (sched / "europython2014_schedule.xml").read_bytes()}}

    def handle(host, path, query):
        if path == "robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /orga/\n"
        if host in xml and path in xml[host]:
            return 200, {"Content-Type": "application/xml"}, xml[host][path]
        if host == "cfp.pycon.fr":
            got = sites.pretalx_api(path, host, event, list(subs.values()), list(pconf["speakers"].values()),
                                    sites._query(query))
            if got:
                return got
        if host == "pyvideo.org":
            for slug, (title, talks) in pyvideo.items():
                got = sites.pyvideo_site(slug, title, talks, path)
                if got:
                    return got
        if host == "proceedings.mlr.press":
            got = sites.pmlr_site(host, meta, records, path)
            if got:
                return got
        return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"

    handle.records = records
    handle.subs = subs
    handle.speakers = pconf["speakers"]
    return handle


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"real-data corpus not found at {CORPUS}")
    from spiders.runner import crawl
    from storage import ensure_schema, make_engine

    tmp = tmp_path_factory.mktemp("corpus")
    db_url = f"sqlite:///{tmp / 'corpus.db'}"
    handler = corpus_handler(CORPUS)
    sites = [("pretalx", PRETALX, "PyConFR 2025"), ("frab", FOSDEM, "FOSDEM 2018"), ("frab", EP2014, "EuroPython 2014"),
             ("proceedings", PMLR, "PMLR volume 199")]
    sites += [("pyvideo", f"https://pyvideo.org/events/{slug}.html", None) for slug in PYVIDEO_EVENTS]
    with serve(handler) as base:
        result = crawl(talks_config(sites), db_url, mirror=base, state_dir=tmp / "state")
        hits = list(serve.hits)
    engine = make_engine(db_url)
    ensure_schema(engine)
    yield {"result": result, "engine": engine, "handler": handler, "hits": hits, "state": tmp / "state"}
    engine.dispose()


def q(crawled, sql, **params):
    with crawled["engine"].connect() as conn:
        return conn.execute(text(sql), params).all()


def per_event(crawled):
    rows = q(crawled, """select e.key, count(distinct t.id), count(s.id) from event e join talk t on t.event_id = e.id
                         left join speaking s on s.talk_id = t.id group by e.key""")
    return {k: (t, s) for k, t, s in rows}


def test_runner_reports_every_site_with_exact_counts(corpus, crawled):
    r = crawled["result"]
    assert r["status"] == "ok", r["errors"] + r["warnings"]
    assert r["exit_code"] == 0
    assert r["errors"] == [] and r["warnings"] == []
    assert r["totals"] == {"event": 4 + 3, "talk": 84 + 2 + 137 + 147, "speaker": 103 + 3 + 135 + 333,
                           "paper": 64, "author": sum(len(x["author"]) for x in crawled["handler"].records)}
    assert r["items"]["frab"][FOSDEM] == {"event": 1, "talk": 2, "speaker": 3}
    # pages: robots.txt per site (7), pretalx event + speakers (4 pages) + submissions (4 pages),
    # 2 XML files, PMLR volume + 64 abstract pages, 3 PyVideo event pages + 147 talk pages
    assert r["pages"] == 7 + (1 + 4 + 4) + 2 + (1 + 64) + (3 + 147)


def test_pyvideo_events_talks_and_speakers(corpus, crawled):
    got = per_event(crawled)
    for slug, (talks, speakers) in PYVIDEO_EVENTS.items():
        assert got[slug] == (talks, speakers), slug
    row = q(crawled, """select t.title, t.starts_at, t.video_url, t.url, i.name from talk t join speaking s on s.talk_id = t.id
                        join identity i on i.id = s.identity_id
                        where t.key = 'scipy-2023/aaron-meurer-toward-array-interoperability-in-the-scientific-python-ecosystem-scipy-2023'""")
    assert row == [("Toward Array Interoperability in the Scientific Python Ecosystem", row[0][1],
                    "https://www.youtube.com/watch?v=16rB-fosAWw",
                    "https://pyvideo.org/scipy-2023/aaron-meurer-toward-array-interoperability-in-the-scientific-python-ecosystem-scipy-2023.html",
                    "Aaron Meurer")]
    assert str(row[0][1]).startswith("2023-07-10")
    # "Various speakers" / "Multiple Speakers" are nobody: no identity for them
    assert q(crawled, "select count(*) from identity where lower(name) like 'various%' or lower(name) like 'multiple%'") == [(0,)]


def test_pretalx_api_talks_speakers_and_bio_links(corpus, crawled):
    assert per_event(crawled)["pyconfr-2025"] == (84, 103)
    talk = q(crawled, "select title, kind, room, language, starts_at, url from talk where key = 'pyconfr-2025/38LRHE'")[0]
    assert talk[:4] == ("Accueil\u202f/ Welcome", "keynote", "B003", "fr")
    assert str(talk[4]).startswith("2025-11-01 07:50")  # 08:50+01:00 stored in UTC
    assert talk[5] == "https://cfp.pycon.fr/pyconfr-2025/talk/38LRHE/"
    ident = q(crawled, "select name, bio, urls from identity where external_key = 'pyconfr-2025/38LRHE#0'")[0]
    assert ident[0] == "Lucie Anglade" and "AFPy" in ident[1] and "\r" not in ident[1]
    assert "https://cfp.pycon.fr/pyconfr-2025/speaker/MNMGGN/" in json.loads(ident[2])
    handles = [json.loads(h) for (h,) in q(crawled, "select handles from identity where source = 'talks' and handles is not null and handles != '{}' and external_key like 'pyconfr-2025/%'")]
    kinds = {k for h in handles for k in h}
    assert {"linkedin", "homepage"} <= kinds
    assert {"linkedin": "celinemartinet1"}.items() <= {k: v for h in handles for k, v in h.items() if k == "linkedin"}.items()
    homepages = {h["homepage"] for h in handles if "homepage" in h}
    assert "https://romain-clement.net" in homepages
    urls = {u for (us,) in q(crawled, "select urls from identity where external_key like 'pyconfr-2025/%'") for u in json.loads(us or "[]")}
    assert {"https://entwanne.github.io", "https://www.linkedin.com/in/celinemartinet1/", "https://noti.st/titimoby"} <= urls


def test_frab_and_programme_xml(corpus, crawled):
    got = per_event(crawled)
    assert got["fosdem-2018"] == (2, 3)
    # 188 entries: 51 breaks (no speaker, no text) are not talks; 8 sessions repeat on several days
    assert got["europython-2014"] == (129, 135)
    rows = q(crawled, """select i.name, t.title, t.track, t.kind, t.duration_min from identity i join speaking s on s.identity_id = i.id
                         join talk t on t.id = s.talk_id where t.key = 'fosdem-2018/6245' order by s.position""")
    assert rows == [("Simon Phipps", "Consensus as a Service: Twenty Years of OSI Stewardship", "Keynotes", "keynote", 50),
                    ("Italo Vignoli", "Consensus as a Service: Twenty Years of OSI Stewardship", "Keynotes", "keynote", 50)]
    ep = q(crawled, "select name, bio, urls from identity where external_key = 'europython-2014/118#0'")[0]
    assert ep[0] == "Constanze Kurz" and "Chaos Computer Club" in ep[1]
    assert json.loads(ep[2]) == ["https://ep2014.europython.eu/en/accounts/profile/1332/"]


def test_proceedings_papers_authors_and_authorships(corpus, crawled):
    recs = crawled["handler"].records
    assert q(crawled, "select count(*), count(abstract), count(pdf_url) from paper where source = 'proceedings'") == [(64, 64, 64)]
    assert q(crawled, "select count(*) from authorship") == [(sum(len(r["author"]) for r in recs),)]
    names = {n for (n,) in q(crawled, "select name from identity where source = 'proceedings'")}
    assert len(names) == 241  # distinct author names in the volume
    row = q(crawled, """select p.title, p.url, p.event_id is not null, i.name from paper p join authorship a on a.paper_id = p.id
                        join identity i on i.id = a.identity_id where p.key = 'pmlr-v199/abbasi22a' order by a.position""")
    assert [r[3] for r in row] == ["Ali Abbasi", "Parsa Nooralinejad", "Vladimir Braverman", "Hamed Pirsiavash", "Soheil Kolouri"]
    assert row[0][0].startswith("Sparsity and Heterogeneous Dropout") and row[0][1] == "https://proceedings.mlr.press/v199/abbasi22a.html"
    assert row[0][2] == 1
    ext = q(crawled, "select external_key from identity i join authorship a on a.identity_id = i.id join paper p on p.id = a.paper_id where p.key = 'pmlr-v199/abbasi22a' and a.position = 4")
    assert ext == [("pmlr-v199/abbasi22a#4",)]


def test_politeness_robots_user_agent_and_job_state(corpus, crawled):
    hits = crawled["hits"]
    hosts = {"cfp.pycon.fr", "fosdem.org", "ep2014.europython.eu", "pyvideo.org", "proceedings.mlr.press"}
    assert {h.split("/")[2] for h in hits if h.endswith("/robots.txt")} == hosts
    # finished sites leave no job state behind: the next night starts afresh
    jobs = crawled["state"] / "jobs"
    assert not jobs.exists() or not any(jobs.iterdir())
    cur = q(crawled, "select category, key, state from cursor where source = 'talks' and key = :k", k=FOSDEM)
    assert cur and cur[0][0] == "frab" and json.loads(cur[0][2]) == {"event": 1, "talk": 2, "speaker": 3}
