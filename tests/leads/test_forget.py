"""Forget: a person is deleted everywhere, and re-storing the same crawl brings nothing back."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from sourcing.config import Config, SavedSearch
from sourcing.forget import forget, list_suppressions
from sourcing.leads import build_lead_lists, latest_list
from sourcing.review import set_status
from storage import models as m
from storage.ingest import store
from storage.upsert import key_ids, upsert

T = datetime(2026, 3, 1, tzinfo=timezone.utc)
LOGIN, EMAIL, HOME = "ZoeQuinn42", "zq@quinnelius.example", "https://quinnelius.example/"
NEEDLES = ("zoequinn42", "quinnelius", "0000-0002-1825-0097")


def crawl():
    """One night's crawl as collectors hand it to storage: Zoë on GitHub, arXiv and a talk; Bob too."""
    zoe = ("github", LOGIN)
    return {
        "repo": [{"full_name": "apache/airflow", "stars": 30000},
                 {"full_name": f"{LOGIN}/dotfiles", "owner": LOGIN},
                 {"full_name": f"{LOGIN}/streamkit", "owner": LOGIN, "stars": 900}],
        "event": [{"key": "pydata-berlin-2025", "name": "PyData Berlin 2025"}],
        "identity": [
            {"source": "github", "external_key": LOGIN, "login": LOGIN, "name": "Zoë Quinnelius",
             "emails": [EMAIL, f"77+{LOGIN.lower()}@users.noreply.github.com"], "urls": [HOME],
             "handles": {"github": LOGIN, "twitter": "zquinnelius", "orcid": "0000-0002-1825-0097", "homepage": HOME},
             "location": "Berlin", "bio": "streaming at quinnelius.example"},
            {"source": "arxiv", "external_key": "2406.00001#0", "name": "Zoe Quinnelius"},
            {"source": "talks", "external_key": "pydata-berlin-2025/ABC#0", "name": "Zoë Quinnelius", "urls": [HOME]},
            {"source": "github", "external_key": "bob", "login": "bob", "name": "Bob Ode"},
            {"source": "arxiv", "external_key": "2406.00001#1", "name": "Bob Ode"},
        ],
        "paper": [{"key": "2406.00001", "title": "Exactly-once joins on streams"}],
        "talk": [{"key": "pydata-berlin-2025/ABC", "event": "pydata-berlin-2025", "title": "Streams at scale"}],
        "activity": [
            {"uid": "github:pr:apache/airflow#1", "kind": "pr_merged", "repo": "apache/airflow", "identity": zoe,
             "occurred_at": T, "title": "Fix the scheduler", "url": "https://github.com/apache/airflow/pull/1"},
            {"uid": "github:pr:apache/airflow#2", "kind": "pr_merged", "repo": "apache/airflow",
             "identity": ("github", "bob"), "occurred_at": T, "title": "Docs", "merged_by": LOGIN},
            {"uid": f"github:pr:{LOGIN}/streamkit#3", "kind": "pr_merged", "repo": f"{LOGIN}/streamkit",
             "identity": ("github", "bob"), "occurred_at": T, "title": "Add Kafka sink",
             "url": f"https://github.com/{LOGIN}/streamkit/pull/3"},
        ],
        "repocontributor": [{"repo": "apache/airflow", "identity": zoe, "contributions": 12},
                            {"repo": f"{LOGIN}/streamkit", "identity": ("github", "bob"), "contributions": 3}],
        "authorship": [{"paper": "2406.00001", "position": 0, "identity": ("arxiv", "2406.00001#0")},
                       {"paper": "2406.00001", "position": 1, "identity": ("arxiv", "2406.00001#1")}],
        "papercode": [{"paper": "2406.00001", "url": f"https://github.com/{LOGIN}/streamkit",
                       "repo": f"{LOGIN}/streamkit"}],
        "speaking": [{"talk": "pydata-berlin-2025/ABC", "position": 0, "identity": ("talks", "pydata-berlin-2025/ABC#0")}],
    }


@pytest.fixture
def world(engine, add_person, set_scores):
    """The crawl stored, resolved into Zoë and Bob, scored, listed, reviewed and linked."""
    zoe = add_person(engine, LOGIN, name="Zoë Quinnelius", location="Berlin", email=EMAIL, homepage=HOME,
                     roles={"data-engineer": 90}, skills={"kafka": 80}, crawl=crawl())
    bob = add_person(engine, "bob", name="Bob Ode", roles={"data-engineer": 60}, skills={"kafka": 50},
                     crawl={"identity": []})
    I = m.Identity.__table__
    with engine.begin() as conn:
        ids = key_ids(conn, m.Identity, [("arxiv", "2406.00001#0"), ("talks", "pydata-berlin-2025/ABC#0"),
                                         ("github", LOGIN), ("arxiv", "2406.00001#1")])
        mine = [ids[("github", LOGIN)], ids[("arxiv", "2406.00001#0")], ids[("talks", "pydata-berlin-2025/ABC#0")]]
        conn.execute(I.update().where(I.c.id.in_(mine)).values(person_id=zoe))
        conn.execute(I.update().where(I.c.id == ids[("arxiv", "2406.00001#1")]).values(person_id=bob))
        a, b, c = sorted(mine)
        upsert(conn, m.IdentityLink, [{"identity_a": a, "identity_b": b, "reason": f"homepage {HOME}",
                                       "confidence": 0.95}])
        upsert(conn, m.IdentityDecision, [{"identity_a": a, "identity_b": c, "decision": "same",
                                           "note": "Zoë's talk"}])
        upsert(conn, m.Cursor, [{"source": "github", "category": "pulls", "key": f"{LOGIN}/streamkit"}])
        # Bob's evidence names Zoë's repository
        repo_id = key_ids(conn, m.Repo, [f"{LOGIN}/streamkit"])[f"{LOGIN}/streamkit"]
        sid = conn.execute(select(m.Score.__table__.c.id).where(m.Score.__table__.c.person_id == bob)).scalars().first()
        upsert(conn, m.Evidence, [{"score_id": sid, "position": 5, "text": f"3 merged PRs to {LOGIN}/streamkit",
                                   "url": f"https://github.com/{LOGIN}/streamkit/pulls", "ref": f"repo:{repo_id}"}])
    set_status(engine, zoe, "contacted", note="Zoë said: ask me in May", reviewer="sam")
    build_lead_lists(engine, Config(searches=[SavedSearch(name="de", role="data-engineer")]))
    return {"zoe": zoe, "bob": bob}


def traces(engine) -> list[tuple[str, str, str]]:
    """Every (table, column, value) in the whole database that mentions Zoë."""
    found = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for col, value in row.items():
                    if isinstance(value, (str, dict, list)):
                        s = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                        folded = s.lower().replace("ë", "e")
                        if any(n in folded for n in NEEDLES):
                            found.append((table, col, s[:80]))
    return found


def test_forget_then_recrawl_leaves_no_trace(engine, world):
    assert len(traces(engine)) > 20  # the scan does see Zoë before
    counts = forget(engine, world["zoe"])
    assert counts["identity"] == 3 and counts["person"] == 1 and counts["repo"] == 2
    assert counts["activity"] == 2 and counts["review"] == 1 and counts["lead"] == 1
    assert counts["suppression_keys"] >= 8
    assert traces(engine) == []
    with engine.begin() as conn:
        again = store(conn, crawl())  # the next night's crawl brings the same rows
    assert again["suppressed"] == 3 and again["scrubbed"] >= 4
    assert traces(engine) == []
    # Bob is untouched, except that Zoë no longer shows as the merger of his pull request
    with engine.connect() as conn:
        bob_prs = conn.execute(select(m.Activity.__table__.c.uid, m.Activity.__table__.c.merged_by)).all()
        assert bob_prs == [("github:pr:apache/airflow#2", None)]
        assert conn.execute(text("SELECT count(*) FROM authorship")).scalar() == 1
    assert [x["person_id"] for x in latest_list(engine, "de")] == [world["bob"]]


def test_namesakes_and_other_people_are_not_suppressed(engine, world):
    forget(engine, world["zoe"])
    with engine.begin() as conn:
        counts = store(conn, {
            "identity": [
                # another Zoë Quinnelius with her own account and no shared link: a different person
                {"source": "github", "external_key": "zq-other", "login": "zq-other", "name": "Zoë Quinnelius"},
                # a new paper by a Zoe Quinnelius: a name alone is never a key
                {"source": "arxiv", "external_key": "2501.00002#0", "name": "Zoe Quinnelius"},
                # the same homepage under the same name is her again
                {"source": "talks", "external_key": "scipy-2023/XYZ#0", "name": "Zoe Quinnelius", "urls": [HOME]},
                # and so is her ORCID, or her email, anywhere
                {"source": "arxiv", "external_key": "2502.00003#1", "name": "Z. Q.",
                 "handles": {"orcid": "0000-0002-1825-0097"}},
                {"source": "talks", "external_key": "x/Y#1", "name": "ZQ", "emails": [EMAIL.upper()]},
            ]})
    assert counts["suppressed"] == 3 and counts["identity"] == 2


def test_forgetting_twice_or_nobody(engine, world):
    forget(engine, world["zoe"])
    with pytest.raises(LookupError, match="no person with id"):
        forget(engine, world["zoe"])
    (entry,) = list_suppressions(engine)
    assert entry["total"] >= 8 and set(entry["keys"]) >= {"login", "email", "external_key", "name_link", "handle"}
    assert not any(isinstance(v, str) and len(v) == 64 for v in entry.values())  # no hashes shown


def test_forget_command(engine, db_url, world, tmp_path, monkeypatch):
    from sourcing.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCING_CONFIG", raising=False)
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db_url, "forget", LOGIN.lower()])
    assert r.exit_code == 2 and "--yes" in r.output  # no terminal to confirm on: nothing happens
    r = runner.invoke(app, ["--db", db_url, "forget", "nobody-here", "--yes"])
    assert r.exit_code == 2 and "no person with id or GitHub login 'nobody-here'" in r.output
    r = runner.invoke(app, ["--db", db_url, "forget", LOGIN.lower(), "--yes"])
    assert r.exit_code == 0, r.output
    assert "stored" in r.output and "hashed keys" in r.output
    r = runner.invoke(app, ["--db", db_url, "forget", "--list"])
    assert r.exit_code == 0 and "1 forgotten" in r.output and "zoe" not in r.output.lower()
    assert traces(engine) == []
    with engine.connect() as conn:
        run = conn.execute(select(m.Run.__table__).where(m.Run.__table__.c.kind == "forget")).one()
        steps = conn.execute(select(m.RunStep.__table__).where(m.RunStep.__table__.c.run_id == run.id)).all()
    assert run.status == "ok" and steps[0].counts["identity"] == 3
