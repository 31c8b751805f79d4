"""The arXiv collector against the offline world (sourcing/world): the default queries crawl it
completely, what is stored is what the world says, code links reach Repo rows, a re-run adds
nothing, and arXiv's faults (empty pages, 5xx, cut bodies) cost nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from sourcing.config import Config
from sourcing.sources.arxiv import crawl
from storage import models as m

SINCE = datetime(2015, 1, 1, tzinfo=timezone.utc)


def config(**arxiv) -> Config:
    return Config.model_validate({"arxiv": {"page_size": 50, "num_retries": 3, **arxiv}})


def expected_keys(world, queries) -> set[str]:
    """What the world's arXiv answers for the queries (its own search, the oracle)."""
    from sourcing.world.arxiv_api import Arxiv

    api = Arxiv(world.world)
    papers = world.world.papers
    return {papers[i].id for q in queries for i in api.search(q, "", "submittedDate", "ascending")}


def stored(engine, model, *cols):
    t = model.__table__
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(*(t.c[x] for x in cols)))]


def test_default_queries_store_what_the_world_holds(engine, world):
    queries = Config().arxiv.queries
    stats = crawl(engine, config(), api_url=world.arxiv_url, since=SINCE)

    want = expected_keys(world, queries)
    assert len(want) > 300
    keys = {k for (k,) in stored(engine, m.Paper, "key")}
    assert keys == want and not stats.failed
    # every page asked for was read to the end; each paper stored once however many queries found it
    served = world.stats()["apis"]["arxiv"]
    assert served == {"200": stats.requests}
    assert stats.papers == len(want) and sum(q.seen for q in stats.queries) >= len(want)

    # the fields are the world's: newest version, authors in order with affiliations, categories
    w = world.world
    with engine.connect() as c:
        p, i, a = m.Paper.__table__, m.Identity.__table__, m.Authorship.__table__
        papers = {r.key: r for r in c.execute(select(p))}
        slots = c.execute(
            select(p.c.key, a.c.position, i.c.external_key, i.c.name, a.c.affiliation)
            .join(a, a.c.paper_id == p.c.id).join(i, i.c.id == a.c.identity_id)
        ).all()
    by_paper: dict[str, list] = {}
    for s in sorted(slots, key=lambda s: (s.key, s.position)):
        by_paper.setdefault(s.key, []).append(s)
    for key in want:
        truth, row = w.paper(key), papers[key]
        assert (row.version, row.title, row.primary_category, row.categories, row.doi, row.comment) == (
            truth.version, truth.title, truth.primary_category, truth.categories, truth.doi, truth.comment
        )
        assert row.published.replace(tzinfo=timezone.utc) == truth.published
        assert [(s.external_key, s.name, s.affiliation) for s in by_paper[key]] == [
            (f"{key}#{n}", au.name, au.affiliation) for n, au in enumerate(truth.authors)
        ]


def test_author_slots_are_the_worlds_arxiv_identities(engine, world):
    crawl(engine, config(), queries=["cat:cs.LG", "cat:stat.ML"], api_url=world.arxiv_url, since=SINCE)
    papers = {k for (k,) in stored(engine, m.Paper, "key")}
    truth = {
        ident["external_key"]
        for person in world.world.truth()["people"]
        for ident in person["identities"]
        if ident["source"] == "arxiv" and ident["external_key"].split("#")[0] in papers
    }
    got = {k for s, k in stored(engine, m.Identity, "source", "external_key") if s == "arxiv"}
    assert got == truth and len(got) > 500


def test_versions_collapse_into_one_paper(engine, world):
    crawl(engine, config(), queries=["cat:cs.LG", "cat:cs.AI", "cat:stat.ML"], api_url=world.arxiv_url, since=SINCE)
    rows = stored(engine, m.Paper, "key", "version", "url")
    assert len(rows) == len({k for k, _, _ in rows})  # cross-listed papers stored once
    revised = [(k, v) for k, v, _ in rows if v > 1]
    assert len(revised) > 20
    assert all(v == world.world.paper(k).version for k, v in revised)
    assert all(url == f"https://arxiv.org/abs/{k}" for k, _, url in rows)  # the version-free link


def test_code_links_are_tied_to_repo_rows(engine, world):
    crawl(engine, config(), api_url=world.arxiv_url, since=SINCE)
    keys = {k for (k,) in stored(engine, m.Paper, "key")}
    want = {
        (p.id, p.code_url.rstrip("/"))
        for p in world.world.papers
        if p.id in keys and p.code_url and p.code_url.startswith("https://github.com/")
    }
    assert len(want) > 30
    pc, p, r = m.PaperCode.__table__, m.Paper.__table__, m.Repo.__table__
    with engine.connect() as c:
        got = c.execute(
            select(p.c.key, pc.c.url, r.c.full_name, r.c.host)
            .join(pc, pc.c.paper_id == p.c.id).join(r, r.c.id == pc.c.repo_id, isouter=True)
        ).all()
    assert {(k, u) for k, u, _, _ in got} == want
    assert all(name and u == f"https://github.com/{name}" and host == "github" for _, u, name, host in got)
    # repos the world knows keep their spelling, so the GitHub collector's rows and these meet
    assert sum(world.world.repo(name) is not None for _, _, name, _ in got) > 20


def test_a_rerun_adds_nothing(engine, world):
    first = crawl(engine, config(), api_url=world.arxiv_url, since=SINCE)
    assert first.new["paper"] > 300
    counts = {t: len(stored(engine, mod, "id")) for t, mod in [("paper", m.Paper), ("identity", m.Identity), ("authorship", m.Authorship), ("papercode", m.PaperCode), ("repo", m.Repo), ("cursor", m.Cursor)]}
    again = crawl(engine, config(), api_url=world.arxiv_url)  # from the cursors
    assert again.new == {"paper": 0, "identity": 0, "authorship": 0, "papercode": 0, "repo": 0}
    assert counts == {t: len(stored(engine, mod, "id")) for t, mod in [("paper", m.Paper), ("identity", m.Identity), ("authorship", m.Authorship), ("papercode", m.PaperCode), ("repo", m.Repo), ("cursor", m.Cursor)]}
    # incremental: only the last days before each cursor are read again, submissions and revisions
    resumed = [q for q in first.queries if q.seen]  # a query that found nothing has no cursor
    assert again.papers < first.papers / 10 and again.requests == len(again.queries) + len(resumed)


@pytest.mark.parametrize("faults", ["arxiv/empty_page:1:2", "arxiv/502:1:3", "arxiv/truncated:0.3:4", "arxiv/empty_page:0.3:6"])
def test_arxiv_faults_cost_nothing(engine, world, faults):
    queries = ["cat:cs.LG", "cat:stat.ML", 'abs:"feature store"']
    world.set_faults(faults)
    stats = crawl(engine, config(page_size=25), queries=queries, api_url=world.arxiv_url, since=SINCE)
    assert not stats.failed, [q.error for q in stats.failed]
    assert {k for (k,) in stored(engine, m.Paper, "key")} == expected_keys(world, queries)
    assert world.stats()["faults"]  # the faults were served


def test_a_query_failing_for_good_is_recorded_and_others_carry_on(engine, world):
    from sourcing.runs import record_run

    world.set_faults("arxiv/502")  # every request
    with record_run(engine, "crawl") as run:
        stats = crawl(engine, config(num_retries=1), queries=["cat:cs.LG", "cat:cs.CV"], api_url=world.arxiv_url, since=SINCE, recorder=run)
    assert len(stats.failed) == 2 and stored(engine, m.Cursor, "id") == []
    world.clear_faults()
    with record_run(engine, "crawl") as run:
        stats = crawl(engine, config(), queries=["cat:cs.LG", "cat:cs.CV"], api_url=world.arxiv_url, since=SINCE, recorder=run)
    assert not stats.failed
    with engine.connect() as c:
        runs = [r.status for r in c.execute(select(m.Run.__table__).order_by(m.Run.id))]
    assert runs == ["partial", "ok"]
