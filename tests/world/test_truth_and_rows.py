"""The truth names exactly what is served and what the collectors would store."""

from __future__ import annotations

import re
from collections import defaultdict

import arxiv
import requests
from sqlalchemy import func, select
from unidecode import unidecode

from sourcing.world.rows import to_rows
from storage import models as m
from storage.ingest import store_batch


def truth_keys(world) -> dict[tuple[str, str], int]:
    return {(i["source"], i["external_key"]): p["id"] for p in world.truth()["people"] for i in p["identities"]}


def test_truth_github_and_arxiv_identities_are_served(world):
    w = world.world
    keys = truth_keys(w)
    logins = [k for s, k in keys if s == "github"]
    s = requests.Session()
    for login in logins[:: max(1, len(logins) // 40)]:
        got = s.get(f"{world.github_url}/users/{login}", timeout=10).json()
        assert got["login"] == login
        assert (got["type"] == "Bot") <= w.people[keys[("github", login)]].bot
    by_paper = defaultdict(dict)
    for (src, key), pid in keys.items():
        if src == "arxiv":
            paper, pos = key.split("#")
            by_paper[paper][int(pos)] = pid
    sample = sorted(by_paper)[:: max(1, len(by_paper) // 30)]
    c = arxiv.Client(delay_seconds=0)
    c.query_url_format = world.arxiv_url + "?{}"
    for r in c.results(arxiv.Search(id_list=sample)):
        pid = r.get_short_id().split("v")[0]
        assert len(r.authors) == len(by_paper[pid])
        for pos, author in enumerate(r.authors):
            # the served name is a variant of the true person's name (same family name or initial)
            person = w.people[by_paper[pid][pos]]
            served = unidecode(author.name)
            assert unidecode(person.family.split()[-1]) in served or unidecode(person.given) in served


def test_truth_talk_and_proceedings_identities_are_served(world):
    w = world.world
    keys = truth_keys(w)
    talks = defaultdict(dict)
    for (src, key), pid in keys.items():
        if src == "talks":
            talk, idx = key.rsplit("#", 1)
            talks[talk][int(idx)] = pid
    pretalx = [e for e in w.events if e.platform == "pretalx"]
    for ev in pretalx:
        url = world.site_url(f"https://{ev.host}/api/events/{ev.key}/submissions/?page_size=100")
        served = {x["code"]: x for x in requests.get(url, timeout=10).json()["results"]}
        for t in ev.talks:
            speakers = served[t.code]["speakers"]
            assert len(speakers) == len(talks[t.key])
            for idx, sp in enumerate(speakers):
                assert sp["name"] == t.speakers[idx].name
                assert talks[t.key][idx] == t.speakers[idx].person
    vol = w.volumes[0]
    page = requests.get(world.site_url(vol.url), timeout=10).text
    for pp in vol.papers:
        assert pp.id in page
        for pos, a in enumerate(pp.authors):
            assert keys[("proceedings", f"{pp.key}#{pos}")] == a.person


def test_rows_store_exactly_the_truths_identities(world_data, engine):
    rows = to_rows(world_data)
    first = store_batch(engine, rows)
    assert first["activity"] == len(rows["activity"]) > 0
    with engine.connect() as conn:
        stored = set(conn.execute(select(m.Identity.source, m.Identity.external_key)).all())
        n_act = conn.execute(select(func.count()).select_from(m.Activity)).scalar()
        kinds = dict(conn.execute(select(m.Activity.kind, func.count()).group_by(m.Activity.kind)).all())
        bots = set(conn.execute(select(m.Identity.external_key).where(m.Identity.kind == "bot")).scalars())
        papers_with_event = conn.execute(select(func.count()).select_from(m.Paper).where(m.Paper.event_id.is_not(None))).scalar()
    assert stored == set(truth_keys(world_data))
    linked = sum(1 for c in world_data.commits if c.author is not None)
    assert n_act == len(world_data.pulls) + len(world_data.reviews) + linked
    assert set(kinds) == {"pr_merged", "pr_open", "pr_closed", "review", "commit"}
    assert "dependabot[bot]" in bots
    assert papers_with_event == len(world_data.volumes[0].papers)
    # idempotent: the second store of the same rows changes no counts
    store_batch(engine, to_rows(world_data))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Activity)).scalar() == n_act
    uids = [r["uid"] for r in rows["activity"]]
    assert len(uids) == len(set(uids))
    assert all(re.fullmatch(r"github:(pr:[^#]+#\d+|review:[^#]+#\d+:\d+|commit:[^:]+:[0-9a-f]{40})", u) for u in uids)


def test_watched_scope_is_what_the_default_crawl_reaches(world_data):
    rows = to_rows(world_data, scope="watched")
    watched = {r.full_name for r in world_data.repos if r.watched}
    assert {a["repo"] for a in rows["activity"]} <= watched
    people = {r["identity"][1] for r in rows["activity"]}
    gh_ids = {r["external_key"] for r in rows["identity"] if r["source"] == "github"}
    assert people <= gh_ids
    assert len(rows["paper"]) == len(to_rows(world_data)["paper"])
