"""Ingest: references by natural key become ids, suppressed people are dropped, bookmarks ride along."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from storage import models as m
from storage.ingest import cursors, store, store_batch
from storage.suppress import identity_keys

T = datetime(2026, 3, 1, tzinfo=timezone.utc)


def crawl_rows(login="ada"):
    return {
        "identity": [{"source": "github", "external_key": login, "login": login, "name": "Ada L", "emails": [f"{login}@x.org"]}],
        "repo": [{"full_name": "apache/airflow", "stars": 100}],
        "activity": [
            {
                "uid": f"github:pr:apache/airflow#{i}",
                "kind": "pr_merged",
                "repo": "apache/airflow",
                "identity": ("github", login),
                "occurred_at": T,
            }
            for i in range(3)
        ],
        "paper": [{"key": "2406.00001", "title": "P"}],
        "papercode": [{"paper": "2406.00001", "url": "https://github.com/new/repo", "repo": "new/repo"}],
    }


def count(engine, model):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model.__table__)).scalar()


def test_references_resolve_and_unknown_repos_are_recorded(engine):
    counts = store_batch(engine, crawl_rows(), [{"source": "github", "category": "pulls", "key": "apache/airflow", "since": T}])
    assert counts["activity"] == 3 and counts["cursor"] == 1
    assert count(engine, m.Repo) == 2  # the paper's code link became a repo row for the GitHub collector
    with engine.connect() as c:
        ids = {r.identity_id for r in c.execute(select(m.Activity.__table__))}
    assert len(ids) == 1
    assert cursors(engine, "github")[("pulls", "apache/airflow")]["since"] == T


def test_storing_twice_adds_nothing(engine):
    store_batch(engine, crawl_rows())
    before = {t: count(engine, mod) for t, mod in (("a", m.Activity), ("i", m.Identity), ("r", m.Repo))}
    store_batch(engine, crawl_rows())
    assert before == {t: count(engine, mod) for t, mod in (("a", m.Activity), ("i", m.Identity), ("r", m.Repo))}


def test_duplicate_keys_in_one_batch_merge(engine):
    rows = {"identity": [
        {"source": "github", "external_key": "ada", "name": "Ada"},
        {"source": "github", "external_key": "ada", "location": "Berlin"},
    ]}
    store_batch(engine, rows)
    with engine.connect() as c:
        row = c.execute(select(m.Identity.__table__)).mappings().one()
    assert (row["name"], row["location"]) == ("Ada", "Berlin")


def test_dangling_identity_reference_is_an_error_and_nothing_is_half_written(engine):
    rows = crawl_rows()
    rows["activity"][0]["identity"] = ("github", "nobody")
    with pytest.raises(LookupError, match="nobody"):
        store_batch(engine, rows, [{"source": "github", "category": "pulls", "key": "apache/airflow", "since": T}])
    assert count(engine, m.Identity) == 0 and count(engine, m.Cursor) == 0


def test_suppressed_identity_and_its_rows_are_dropped(engine):
    ident = crawl_rows()["identity"][0]
    with engine.begin() as conn:
        conn.execute(m.Suppression.__table__.insert(), [{"kind": k, "key_hash": h} for k, h in identity_keys(ident)])
    counts = store_batch(engine, crawl_rows())
    assert counts["suppressed"] == 1
    assert count(engine, m.Identity) == 0 and count(engine, m.Activity) == 0
    # someone else is stored as usual
    store_batch(engine, crawl_rows("grace"))
    assert count(engine, m.Identity) == 1


def test_unknown_table_refused(engine):
    with engine.begin() as conn, pytest.raises(ValueError, match="unknown table"):
        store(conn, {"people": [{}]})
