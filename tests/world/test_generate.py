"""The generator: deterministic, realistic in the ways the later stages rely on, truth in shape."""

from __future__ import annotations

import json
import re
from collections import Counter

from scoring.taxonomy import load as load_taxonomy
from sourcing.config import TalksConfig
from sourcing.world.generate import generate


def test_same_seed_same_world_other_seed_other_world(world_data):
    a, b = generate(300, 7), world_data
    assert json.dumps(a.truth()) == json.dumps(b.truth())
    assert [(p.repo, p.number, p.title, p.merged_at) for p in a.pulls] == [
        (p.repo, p.number, p.title, p.merged_at) for p in b.pulls]
    assert [p.id for p in a.papers] == [p.id for p in b.papers]
    c = generate(300, 8)
    assert json.dumps(c.truth()) != json.dumps(a.truth())


def test_truth_shape_and_keys(world_data):
    tax = load_taxonomy()
    truth = world_data.truth()
    assert set(truth) == {"people"}
    seen = set()
    for p in truth["people"]:
        assert set(p) == {"id", "identities", "skills", "bot"}
        assert p["identities"], "people who appear nowhere are left out"
        for i in p["identities"]:
            assert set(i) == {"source", "external_key"}
            assert i["source"] in {"github", "arxiv", "talks", "proceedings"}
            key = (i["source"], i["external_key"])
            assert key not in seen, f"identity {key} belongs to two people"
            seen.add(key)
            if i["source"] == "arxiv":
                assert re.fullmatch(r"\d{4}\.\d{5}#\d+", i["external_key"])
            if i["source"] == "talks":
                assert re.fullmatch(r"[a-z0-9-]+/[A-Za-z0-9-]+#\d+", i["external_key"])
            if i["source"] == "proceedings":
                assert re.fullmatch(r"pmlr-v199/[a-z]+22[a-z]#\d+", i["external_key"])
        for skill, strength in p["skills"].items():
            assert skill in tax.skills
            assert 0.0 <= strength <= 1.0
    bots = [p for p in truth["people"] if p["bot"]]
    assert bots and all(not p["skills"] for p in bots)


def test_watchlist_repos_carry_real_names_and_taxonomy_skills(world_data):
    tax = load_taxonomy()
    for full in tax.watchlist():
        r = world_data.repo(full)
        assert r is not None and r.full_name == full and r.watched
        assert set(r.skills) == set(tax.skills_of_repo(full))
    personal = [r for r in world_data.repos if r.owner_person is not None]
    assert personal, "people own repos too"
    assert world_data.repo("apache/airflow").stars > sorted(r.stars for r in personal)[len(personal) // 2]


def test_bots_and_their_work(world_data):
    dependabot = world_data.user("dependabot[bot]")
    assert dependabot is not None and dependabot.bot and dependabot.github.type == "Bot"
    bot_prs = [pr for pr in world_data.pulls if world_data.people[pr.author].bot]
    assert bot_prs and all(pr.title.startswith("Bump ") for pr in bot_prs)
    # CI machine users look like people to the API (type User): only the truth knows
    machine = [p for p in world_data.people if p.bot and p.github.type == "User"]
    assert machine
    truth = {p["id"]: p for p in world_data.truth()["people"]}
    assert all(truth[p.id]["bot"] for p in machine)


def test_strong_people_do_more_and_deeper_work(world_data):
    acts = Counter(pr.author for pr in world_data.pulls) + Counter(c.author for c in world_data.commits)
    humans = [p for p in world_data.people if not p.bot and p.github and p.skills]
    humans.sort(key=lambda p: p.strength)
    weak, strong = humans[: len(humans) // 2], humans[-len(humans) // 10:]
    mean = lambda ps: sum(acts[p.id] for p in ps) / len(ps)  # noqa: E731
    assert mean(strong) > 3 * mean(weak)
    size = lambda ps: sorted(pr.additions for pr in world_data.pulls if pr.author in {p.id for p in ps})  # noqa: E731
    s, w = size(strong), size(weak)
    assert s[len(s) // 2] > w[len(w) // 2]
    # drive-by contributions: README-only one-offs exist
    assert any(pr.files == ["README.md"] for pr in world_data.pulls)


def test_same_person_varies_across_sources_and_namesakes_exist(world_data):
    varied = 0
    for pa in world_data.papers:
        for a in pa.authors:
            p = world_data.people[a.person]
            if p.github and p.github.name and a.name != p.github.name:
                varied += 1
    assert varied > 20
    initials = [a.name for pa in world_data.papers for a in pa.authors if re.match(r"^\w\. ", a.name)]
    assert initials
    names = Counter(p.name for p in world_data.people if not p.bot)
    assert any(n > 1 for n in names.values()), "different people share a name"
    noreply = [c for c in world_data.commits if c.author_email.endswith("@users.noreply.github.com")]
    assert noreply
    bios = [s.bio for e in world_data.events for t in e.talks for s in t.speakers if s.bio]
    assert any("github.com/" in b or "GitHub as @" in b for b in bios)


def test_hostile_values_present(world_data):
    names = [p.github.name or "" for p in world_data.people if p.github]
    bios = [p.github.bio or "" for p in world_data.people if p.github]
    assert any(n.startswith("=") for n in names) and any(n.startswith("@") for n in names)
    assert any(n.startswith("+") for n in names) and any(n.startswith("-") for n in names)
    assert any("\u202e" in n for n in names)
    assert any("<script>" in b for b in bios)
    assert any(len(b) >= 10_000 for b in bios)
    assert any(re.search(r"[\x00-\x08]", b) for b in bios)


def test_papers_and_conferences(world_data):
    cats = Counter(c for p in world_data.papers for c in p.categories)
    assert {"cs.LG", "stat.ML"} <= set(cats)
    assert all(re.fullmatch(r"\d{4}\.\d{5}", p.id) for p in world_data.papers)
    assert len({p.id for p in world_data.papers}) == len(world_data.papers)
    with_code = [p for p in world_data.papers if p.code_url]
    assert with_code and all(p.code_url in (p.abstract + " " + (p.comment or "")) for p in with_code)
    assert [e.url for e in world_data.events] + [v.url for v in world_data.volumes] == [
        s.url for s in TalksConfig().sites]
    assert all(e.talks for e in world_data.events)
    assert world_data.volumes[0].key == "pmlr-v199" and world_data.volumes[0].papers


def test_scale_is_proportional():
    w = generate(1000, 3)
    acts = len(w.pulls) + len(w.reviews) + len(w.commits)
    assert 6_000 <= acts <= 16_000
    assert 80 <= len(w.repos) <= 150
    assert len(w.papers) == 1500
    assert 60 <= sum(len(e.talks) for e in w.events) <= 150
