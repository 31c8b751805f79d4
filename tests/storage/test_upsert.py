"""Bulk upserts are idempotent by natural key, let updated values win, and scale to 100k rows."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from storage import models as m
from storage.upsert import key_ids, upsert

T = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _repos(n, stars=1):
    return [{"full_name": f"org{i % 97}/repo{i}", "stars": stars, "topics": ["ml"], "pushed_at": T} for i in range(n)]


def _snapshot(conn):
    return conn.execute(text("SELECT id, full_name, stars, topics, pushed_at FROM repo ORDER BY id")).all()


def test_same_upsert_twice_changes_nothing(engine):
    with engine.begin() as conn:
        upsert(conn, m.Repo, _repos(500))
        first = _snapshot(conn)
        changes_before = conn.execute(text("SELECT total_changes()")).scalar()
        upsert(conn, m.Repo, _repos(500))
        changes_after = conn.execute(text("SELECT total_changes()")).scalar()
        assert _snapshot(conn) == first
    # the WHERE clause on DO UPDATE means identical rows are not rewritten at all
    assert changes_after == changes_before


def test_updated_values_win_and_absent_columns_stay(engine):
    with engine.begin() as conn:
        upsert(conn, m.Repo, [{"full_name": "a/b", "stars": 1, "description": "kept"}])
        upsert(conn, m.Repo, [{"full_name": "a/b", "stars": 5}])
        row = conn.execute(select(m.Repo.__table__)).mappings().one()
    assert row["stars"] == 5 and row["description"] == "kept"


def test_composite_keys_and_id_lookup(engine):
    with engine.begin() as conn:
        upsert(conn, m.Identity, [{"source": "github", "external_key": f"u{i}", "name": f"U {i}"} for i in range(1200)])
        ids = key_ids(conn, m.Identity, [("github", "u5"), ("github", "u1100"), ("github", "nobody")])
    assert set(ids) == {("github", "u5"), ("github", "u1100")}


def test_bad_rows_are_refused_with_the_table_named(engine):
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="repo: unknown columns"):
            upsert(conn, m.Repo, [{"full_name": "a/b", "starz": 1}])
        with pytest.raises(ValueError, match="lack natural key"):
            upsert(conn, m.Repo, [{"stars": 1}])


def test_hundred_thousand_rows_in_one_call(engine):
    rows = [
        {
            "uid": f"github:commit:o/r:{i:040x}",
            "kind": "commit",
            "repo_id": 1,
            "identity_id": 1,
            "occurred_at": T + timedelta(minutes=i),
        }
        for i in range(100_000)
    ]
    with engine.begin() as conn:
        upsert(conn, m.Repo, [{"id": 1, "full_name": "o/r"}])
        upsert(conn, m.Identity, [{"id": 1, "source": "github", "external_key": "o"}])
        assert upsert(conn, m.Activity, rows) == 100_000
        assert upsert(conn, m.Activity, rows) == 100_000
        assert conn.execute(select(func.count()).select_from(m.Activity.__table__)).scalar() == 100_000


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=30), st.integers(-(2**31), 2**31), st.none() | st.text(max_size=50)),
        max_size=30,
    )
)
def test_any_values_round_trip_and_rerun_is_stable(engine, items):
    rows = {}
    for name, stars, desc in items:
        rows[f"o/{name}"] = {"full_name": f"o/{name}", "stars": stars, "description": desc}
    with engine.begin() as conn:
        conn.execute(m.Repo.__table__.delete())
        upsert(conn, m.Repo, list(rows.values()))
        upsert(conn, m.Repo, list(rows.values()))
        got = {r.full_name: (r.stars, r.description) for r in conn.execute(select(m.Repo.__table__))}
    assert got == {k: (v["stars"], v["description"]) for k, v in rows.items()}
