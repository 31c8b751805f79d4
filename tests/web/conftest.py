"""A small scored database with hostile profile values, and an app over it."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from sourcing.config import Config, SavedSearch
from storage import models as m
from storage.ingest import store_batch
from storage.upsert import upsert

T = datetime(2026, 6, 1, tzinfo=timezone.utc)
HOSTILE = '<script>alert("x")</script>=HYPERLINK("http://evil")'


@pytest.fixture
def web_config():
    return Config(searches=[SavedSearch(name="airflow-people", skills=["airflow"], size=25),
                            SavedSearch(name="de", role="data-engineer", size=25)])


@pytest.fixture
def scored(engine, web_config):
    """60 people with Airflow scores; person 1 has a script tag for a name and bio."""
    n = 60
    rows = {
        "repo": [{"full_name": "apache/airflow", "stars": 40000}],
        "identity": [
            {"source": "github", "external_key": f"user{i}", "login": f"user{i}",
             "name": HOSTILE if i == 1 else f"Person {i}", "bio": HOSTILE if i == 1 else "builds DAGs"}
            for i in range(1, n + 1)
        ],
        "activity": [
            {"uid": f"github:pr:apache/airflow#{i}", "kind": "pr_merged", "repo": "apache/airflow",
             "identity": ("github", f"user{i}"), "occurred_at": T, "title": f"Fix scheduler {i}",
             "url": f"https://github.com/apache/airflow/pull/{i}"}
            for i in range(1, n + 1)
        ],
    }
    store_batch(engine, rows)
    with engine.begin() as conn:
        upsert(conn, m.Person, [{"id": i, "display_name": HOSTILE if i == 1 else f"Person {i}",
                                 "github_login": f"user{i}", "location": "Berlin"} for i in range(1, n + 1)])
        conn.execute(text("UPDATE identity SET person_id = CAST(substr(external_key, 5) AS INTEGER)"))
        upsert(conn, m.Score, [
            {"person_id": i, "dimension": dim, "name": name, "value": float(100 - i), "rank": i}
            for i in range(1, n + 1)
            for dim, name in (("skill", "airflow"), ("role", "data-engineer"), ("overall", "overall"))
        ])
        ids = dict(conn.execute(text("SELECT person_id, id FROM score WHERE name = 'airflow'")).all())
        upsert(conn, m.Evidence, [
            {"score_id": ids[i], "position": 0, "text": f"{i} merged PRs to apache/airflow", "kind": "code",
             "url": f"https://github.com/apache/airflow/pull/{i}", "weight": 1.0}
            for i in range(1, n + 1)
        ])
    from sourcing.leads import build_lead_lists

    build_lead_lists(engine, web_config)
    return engine


@pytest.fixture
def client(scored, web_config):
    from fastapi.testclient import TestClient

    from sourcing.web.app import create_app

    with TestClient(create_app(scored, web_config)) as c:
        yield c


def csrf_of(client) -> str:
    page = client.get("/")
    assert page.status_code == 200
    return client.cookies.get("sourcing_csrf")
