"""Role fit: descriptions are understood through the taxonomy and matched against stored work."""

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from scoring.taxonomy import load
from sourcing.cli import app
from sourcing.fit import FitError, fit, reindex, understand
from storage import models as m
from storage.ingest import store_batch
from storage.upsert import upsert

TAX = load()
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
OLD = datetime(2016, 1, 1, tzinfo=timezone.utc)
RECENT = datetime(2026, 5, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "desc, skills",
    [
        ("Streaming feature pipelines on Kafka and Flink; models served behind FastAPI.", {"kafka", "flink", "fastapi", "feature-store"}),
        ("KAFKA!!! flink, (FEAST)", {"kafka", "flink", "feature-store"}),
        ("We run Airflow DAGs and dbt models on Snowflake", {"airflow", "dbt"}),
        ("collaborative filtering for our recommender", {"recommender-systems"}),
        ("Fine-tuning LLMs with Hugging Face PEFT / LoRA", {"huggingface", "llm"}),
        ("PyTorch  and  scikit-learn", {"pytorch", "scikit-learn"}),
    ],
)
def test_skills_recognised_through_synonyms_case_and_punctuation(desc, skills):
    assert skills <= set(understand(desc, TAX).skills)


def test_roles_and_remaining_terms():
    u = understand("Senior data engineer for geospatial ingestion with Kafka", TAX)
    assert "data-engineer" in u.roles
    assert "geospatial" in u.terms and "ingestion" in u.terms
    assert "with" not in u.terms and "kafka" not in u.terms


def person(pid, login, name, location="Berlin"):
    return {"id": pid, "display_name": name, "github_login": login, "location": location}


@pytest.fixture
def world_db(engine):
    """Three people: a streaming feature-store engineer, an old Kafka hand, a vision researcher."""
    rows = {
        "repo": [
            {"full_name": "feast-dev/feast", "description": "Feature store for machine learning", "topics": ["feature-store"]},
            {"full_name": "apache/flink", "description": "Stream processing framework"},
            {"full_name": "pytorch/vision", "description": "Datasets and models for computer vision"},
        ],
        "identity": [
            {"source": "github", "external_key": "ana", "login": "ana", "name": "Ana"},
            {"source": "github", "external_key": "olaf", "login": "olaf", "name": "Olaf"},
            {"source": "arxiv", "external_key": "2401.00001#0", "name": "Vik"},
        ],
        "activity": [
            {"uid": "github:pr:feast-dev/feast#1", "kind": "pr_merged", "repo": "feast-dev/feast", "identity": ("github", "ana"),
             "occurred_at": RECENT, "title": "Add Kafka source for online features", "url": "https://github.com/feast-dev/feast/pull/1"},
            {"uid": "github:pr:apache/flink#2", "kind": "pr_merged", "repo": "apache/flink", "identity": ("github", "ana"),
             "occurred_at": RECENT, "title": "Flink sink for streaming feature pipelines", "url": "https://github.com/apache/flink/pull/2"},
            {"uid": "github:pr:apache/flink#3", "kind": "pr_merged", "repo": "apache/flink", "identity": ("github", "olaf"),
             "occurred_at": OLD, "title": "Kafka connector for Flink streaming", "url": "https://github.com/apache/flink/pull/3"},
        ],
        "paper": [{"key": "2401.00001", "title": "Self-supervised vision transformers", "abstract": "Images and convolution.",
                   "primary_category": "cs.CV", "published": RECENT}],
        "authorship": [{"paper": "2401.00001", "position": 0, "identity": ("arxiv", "2401.00001#0")}],
    }
    store_batch(engine, rows)
    with engine.begin() as conn:
        upsert(conn, m.Person, [person(1, "ana", "Ana"), person(2, "olaf", "Olaf", "Remote"), person(3, None, "Vik", "Paris")])
        for pid, key in ((1, "ana"), (2, "olaf"), (3, "2401.00001#0")):
            conn.execute(text("UPDATE identity SET person_id = :p WHERE external_key = :k"), {"p": pid, "k": key})
        upsert(conn, m.Score, [
            {"person_id": 1, "dimension": "skill", "name": "kafka", "value": 70.0},
            {"person_id": 2, "dimension": "skill", "name": "kafka", "value": 75.0},
            {"person_id": 3, "dimension": "skill", "name": "pytorch", "value": 90.0},
        ])
    reindex(engine)
    return engine


DESC = "People who have built streaming feature pipelines on Kafka and Flink"


def test_demonstrated_recent_work_ranks_first_and_says_why(world_db):
    out = fit(world_db, DESC, TAX, now=NOW)
    ranked = [r["person_id"] for r in out["results"]]
    assert ranked[0] == 1 and 2 in ranked and 3 not in ranked
    why = out["results"][0]["why"]
    assert any(w["text"] == "merged 'Add Kafka source for online features' to feast-dev/feast, 2026-05" for w in why)
    assert all(w["url"].startswith("https://github.com/") for w in why)


def test_location_filter_and_rejections(world_db):
    assert [r["person_id"] for r in fit(world_db, DESC, TAX, location="remote", now=NOW)["results"]] == [2]
    from sourcing.review import set_status  # issue 9's review records

    set_status(world_db, 1, "rejected")
    assert 1 not in [r["person_id"] for r in fit(world_db, DESC, TAX, now=NOW)["results"]]


def test_index_is_incremental_and_forgets(world_db):
    with world_db.begin() as conn:
        again = reindex(world_db)
        assert again["pr"] == 0 and again["paper"] == 0  # nothing changed, nothing rewritten
        conn.execute(text("UPDATE activity SET title = 'Kafka exactly-once' WHERE uid = 'github:pr:apache/flink#3'"))
    assert reindex(world_db)["pr"] == 1
    with world_db.begin() as conn:
        conn.execute(text("DELETE FROM workdoc WHERE identity_id IN (SELECT id FROM identity WHERE login='olaf')"))
    olaf = {r["person_id"]: r for r in fit(world_db, DESC, TAX, now=NOW)["results"]}[2]
    # still a candidate through the stored Kafka score, but no longer through his work's text
    assert olaf["affinity"] == 0 and olaf["why"] == []


@pytest.mark.parametrize("desc, message", [("", "empty"), ("   ", "empty"), ("the and of with", "names a skill"),
                                            ("qwzx plorb", "no stored work matches")])
def test_empty_or_nonsense_description_is_a_clear_error(world_db, desc, message):
    with pytest.raises(FitError, match=message):
        fit(world_db, desc, TAX, now=NOW)


def test_cli_json_and_file(world_db, db_url, tmp_path):
    jd = tmp_path / "jd.txt"
    jd.write_text(DESC)
    res = CliRunner().invoke(app, ["--db", db_url, "fit", "--description", str(jd), "--json", "--top", "2"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["results"][0]["name"] == "Ana" and len(out["results"]) == 2
    bad = CliRunner().invoke(app, ["--db", db_url, "fit", "--description", "qwzx plorb"])
    assert bad.exit_code == 2 and "no stored work matches" in bad.output


def test_saved_search_driven_by_a_description(world_db):
    from sourcing.config import Config, SavedSearch
    from sourcing.leads import build_lead_lists, latest_list

    cfg = Config(searches=[SavedSearch(name="streaming", description=DESC, size=5),
                           SavedSearch(name="streaming-remote", description=DESC, location="remote", size=5)])
    out = build_lead_lists(world_db, cfg)
    assert out["searches"]["streaming"]["leads"] >= 2
    first = latest_list(world_db, "streaming")[0]
    assert first["person_id"] == 1 and first["why"].startswith("merged '")
    assert [r["person_id"] for r in latest_list(world_db, "streaming-remote")] == [2]


def test_pipeline_updates_the_work_index(world_db):
    from sourcing.config import Config
    from sourcing.pipeline import run_pipeline

    with world_db.begin() as conn:
        conn.execute(text("DELETE FROM workdoc"))
    result = run_pipeline(world_db, Config(), only=["index"])
    assert result.status == "ok"
    assert fit(world_db, DESC, TAX, now=NOW)["results"][0]["person_id"] == 1
