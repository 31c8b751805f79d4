"""Lead lists: ranking from stored scores, search filters, flags across runs, the `leads` command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sourcing.config import Config, SavedSearch
from sourcing.leads import Search, SearchError, build_lead_lists, count_leads, find_leads, latest_list, list_history
from sourcing.review import set_status
from storage import models as m


def names(leads):
    return [lead["github"] for lead in leads]


@pytest.fixture
def people(engine, add_person):
    p = {}
    p["ana"] = add_person(engine, "ana", name="Ana Lima", location="Berlin, Germany", company="@Zalando",
                          roles={"data-engineer": 90}, skills={"airflow": 80, "kafka": 70, "spark": 60})
    p["ben"] = add_person(engine, "ben", name="Ben Ode", location="Remote", company="Acme",
                          roles={"data-engineer": 80}, skills={"airflow": 60, "kafka": 5})
    p["cai"] = add_person(engine, "cai", name="Cai Wu", location="Munich", company="Google LLC",
                          roles={"data-engineer": 70}, skills={"airflow": 40, "kafka": 45})
    p["dee"] = add_person(engine, "dee", name="Dee Jay", location="Anywhere on Earth", company=None,
                          roles={"data-engineer": 60}, skills={"airflow": 30, "kafka": 30})
    p["eve"] = add_person(engine, "eve", name="Eve Bot", location="Berlin", roles={"data-engineer": 99},
                          skills={"airflow": 99, "kafka": 99})
    with engine.begin() as conn:
        conn.execute(m.Person.__table__.update().where(m.Person.__table__.c.id == p["eve"]).values(is_bot=True))
    return p


def test_role_search_ranks_by_role_score_without_bots(engine, people, taxonomy):
    leads = find_leads(engine, Search(role="data-engineer"), taxonomy=taxonomy)
    assert names(leads) == ["ana", "ben", "cai", "dee"]
    assert [lead["rank"] for lead in leads] == [1, 2, 3, 4]
    first = leads[0]
    assert set(first) >= {"rank", "person_id", "name", "github", "location", "score", "top_skills", "why", "flags"}
    assert first["score"] == 90 and first["top_skills"] == ["airflow", "kafka", "spark"]
    assert first["why"].startswith("data-engineer: 12 merged PRs") and first["why_url"].startswith("https://")
    assert count_leads(engine, Search(role="data-engineer"), taxonomy=taxonomy) == 4


def test_required_skills_must_all_be_present_above_the_floor(engine, people, taxonomy):
    leads = find_leads(engine, Search(role="data-engineer", skills=("airflow", "kafka")), taxonomy=taxonomy)
    assert names(leads) == ["ana", "cai", "dee"]  # ben's kafka (5) is below the floor
    # without a role the mean of the required skills ranks
    leads = find_leads(engine, Search(skills=("airflow", "kafka")), taxonomy=taxonomy)
    assert names(leads) == ["ana", "cai", "dee"]
    assert leads[1]["score"] == 42.5 and leads[1]["skill_scores"]["kafka"] == 45


def test_location_remote_min_score_and_excluded_companies(engine, people, taxonomy):
    berlin_or_remote = find_leads(engine, Search(role="data-engineer", location="Berlin|remote"), taxonomy=taxonomy)
    assert names(berlin_or_remote) == ["ana", "ben", "dee"]  # "Anywhere on Earth" counts as remote
    assert names(find_leads(engine, Search(role="data-engineer", location="berlin"), taxonomy=taxonomy)) == ["ana"]
    assert names(find_leads(engine, Search(role="data-engineer", min_score=75), taxonomy=taxonomy)) == ["ana", "ben"]
    leads = find_leads(engine, Search(role="data-engineer", exclude_companies=("zalando", "Google")), taxonomy=taxonomy)
    assert names(leads) == ["ben", "dee"]  # "@Zalando" and "Google LLC" are both left out; no company is kept


def test_unknown_terms_and_bad_patterns_are_refused(engine, people, taxonomy):
    with pytest.raises(SearchError, match="unknown role 'data-enginer'.*did you mean data-engineer"):
        find_leads(engine, Search(role="data-enginer"), taxonomy=taxonomy)
    with pytest.raises(SearchError, match="unknown skill 'kafak'"):
        find_leads(engine, Search(skills=("kafak",)), taxonomy=taxonomy)
    with pytest.raises(SearchError, match="not a valid regular expression"):
        find_leads(engine, Search(location="Berlin("), taxonomy=taxonomy)


def test_rejected_hidden_contacted_marked_paging_and_sorting(engine, people, taxonomy):
    set_status(engine, people["ben"], "rejected")
    set_status(engine, people["cai"], "contacted", note="emailed")
    s = Search(role="data-engineer")
    leads = find_leads(engine, s, taxonomy=taxonomy)
    assert names(leads) == ["ana", "cai", "dee"]
    assert leads[1]["flags"] == ["contacted"] and leads[1]["status"] == "contacted"
    assert names(find_leads(engine, s, taxonomy=taxonomy, status="rejected")) == ["ben"]
    assert names(find_leads(engine, s, taxonomy=taxonomy, status="any")) == ["ana", "ben", "cai", "dee"]
    assert count_leads(engine, s, taxonomy=taxonomy) == 3 and count_leads(engine, s, taxonomy=taxonomy, status="any") == 4
    assert count_leads(engine, s, taxonomy=taxonomy, status="contacted") == 1
    assert count_leads(engine, s, taxonomy=taxonomy, cap=2) == 2
    both = Search(role="data-engineer", skills=("airflow", "kafka"), min_score=65)
    assert count_leads(engine, both, taxonomy=taxonomy) == len(find_leads(engine, both, taxonomy=taxonomy)) == 2
    page2 = find_leads(engine, s, taxonomy=taxonomy, offset=1, limit=1)
    assert names(page2) == ["cai"] and page2[0]["rank"] == 2
    by_name = find_leads(engine, s, taxonomy=taxonomy, sort="-name")
    assert names(by_name) == ["dee", "cai", "ana"] and [x["rank"] for x in by_name] == [3, 2, 1]
    with pytest.raises(SearchError, match="unknown sort"):
        find_leads(engine, s, taxonomy=taxonomy, sort="age")


def test_lead_flags_across_two_runs(engine, people, taxonomy, set_scores):
    cfg = Config(searches=[SavedSearch(name="de", role="data-engineer", size=3)])
    first = build_lead_lists(engine, cfg, run_id=None)
    assert first["searches"]["de"]["new"] == 3
    assert [(x["github"], x["movement"]) for x in latest_list(engine, "de")] == [
        ("ana", "new"), ("ben", "new"), ("cai", "new")]
    # overnight: dee climbs to the top, cai overtakes ben, ben is contacted
    with engine.begin() as conn:
        set_scores(conn, people["dee"], [("role", "data-engineer", 95)])
        set_scores(conn, people["cai"], [("role", "data-engineer", 92)])
    set_status(engine, people["ben"], "contacted")
    second = build_lead_lists(engine, cfg)
    assert second["searches"]["de"] | {"list_id": 0} == {"list_id": 0, "leads": 3, "new": 1, "up": 1, "same": 1,
                                                         "first_list": False}
    got = [(x["github"], x["rank"], x["flags"]) for x in latest_list(engine, "de")]
    assert got == [("dee", 1, ["new"]), ("cai", 2, ["up"]), ("ana", 3, ["same"])]
    # ben dropped out of the top 3; a rejected person never appears, even on an old list
    set_status(engine, people["cai"], "rejected")
    assert [x["github"] for x in latest_list(engine, "de")] == ["dee", "ana"]
    third = build_lead_lists(engine, cfg)
    got = [(x["github"], x["flags"]) for x in latest_list(engine, "de")]
    assert got == [("dee", ["same"]), ("ana", ["up"]), ("ben", ["new", "contacted"])]
    assert third["searches"]["de"]["leads"] == 3
    assert [h["leads"] for h in list_history(engine, "de")] == [3, 3, 3]


def test_rebuilding_the_same_run_keeps_its_flags(engine, people, taxonomy, set_scores):
    cfg = Config(searches=[SavedSearch(name="de", role="data-engineer", size=2)])
    build_lead_lists(engine, cfg, run_id=None)
    with engine.begin() as conn:
        run_id = conn.execute(m.Run.__table__.insert().values(kind="run")).inserted_primary_key[0]
        set_scores(conn, people["cai"], [("role", "data-engineer", 85)])
    a = build_lead_lists(engine, cfg, run_id=run_id)
    b = build_lead_lists(engine, cfg, run_id=run_id)
    assert a["searches"]["de"] == b["searches"]["de"]  # same list id, same flags
    assert [(x["github"], x["movement"]) for x in latest_list(engine, "de")] == [("ana", "same"), ("cai", "new")]
    assert len(list_history(engine, "de")) == 2


def test_reviews_survive_reruns_and_a_merge(engine, people, taxonomy):
    from sourcing.review import get_review, move_reviews

    cfg = Config(searches=[SavedSearch(name="de", role="data-engineer", size=10)])
    set_status(engine, people["ana"], "shortlisted", note="strong airflow work", reviewer="sam")
    build_lead_lists(engine, cfg)
    build_lead_lists(engine, cfg)
    lead = latest_list(engine, "de")[0]
    assert (lead["github"], lead["status"], lead["flags"]) == ("ana", "shortlisted", ["same", "shortlisted"])
    # the resolver finds that dee is ana's second account: the surviving person keeps the decision
    set_status(engine, people["dee"], "contacted", note="sent a mail")
    with engine.begin() as conn:
        assert move_reviews(conn, [people["dee"]], people["ana"]) == 1
    review = get_review(engine, people["ana"])
    assert review["status"] == "contacted"
    assert "strong airflow work" in review["note"] and "sent a mail" in review["note"]
    assert get_review(engine, people["dee"])["status"] == "new"


def test_leads_command_json_table_and_errors(engine, db_url, people, tmp_path, monkeypatch):
    from sourcing.cli import app

    monkeypatch.delenv("SOURCING_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sourcing.toml").write_text(
        '[[searches]]\nname = "de"\nrole = "data-engineer"\nskills = ["airflow"]\nsize = 2\n', encoding="utf-8")
    runner = CliRunner()
    base = ["--db", db_url, "leads"]
    r = runner.invoke(app, [*base, "--role", "data-engineer", "--skill", "airflow", "--skill", "kafka",
                            "--location", "Berlin|remote", "--top", "5", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [x["github"] for x in out] == ["ana", "dee"]
    assert set(out[0]) >= {"rank", "person_id", "name", "github", "location", "score", "top_skills", "why", "flags"}
    r = runner.invoke(app, [*base, "--role", "nope"])
    assert r.exit_code == 2 and "unknown role 'nope'" in r.output
    r = runner.invoke(app, [*base, "--skill", "kafak"])
    assert r.exit_code == 2 and "unknown skill 'kafak'" in r.output
    r = runner.invoke(app, [*base, "--search", "nosuch"])
    assert r.exit_code == 2 and "no saved search named 'nosuch'" in r.output
    # --refresh stores today's lists (what the nightly run does); --search shows the stored list
    r = runner.invoke(app, [*base, "--refresh"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "--search", "de", "--json"])
    assert [(x["github"], x["flags"]) for x in json.loads(r.output)] == [("ana", ["new"]), ("ben", ["new"])]
    r = runner.invoke(app, [*base, "--search", "de"])
    assert r.exit_code == 0 and "Ana Lima" in r.output and "new" in r.output
    with engine.connect() as conn:
        runs = conn.execute(m.Run.__table__.select().where(m.Run.__table__.c.kind == "leads")).all()
    assert len(runs) == 1 and runs[0].status == "ok"
