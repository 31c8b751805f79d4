"""People with stored scores and evidence, made the way the resolver and scorer store them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from storage import models as m
from storage.ingest import store
from storage.upsert import key_ids, upsert

T = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _add_person(engine, login, *, name=None, location=None, company=None, email=None, homepage=None,
               roles=None, skills=None, overall=None, score_flags=None, crawl=None):
    """Store a GitHub identity (through ingest), a person for it, and its scores with evidence.

    Returns the person id. `roles`/`skills` map a key to a value 0-100; each score gets two
    evidence lines naming the login's work.
    """
    rows = crawl or {
        "identity": [{"source": "github", "external_key": login, "login": login, "name": name,
                      "location": location, "company": company, "emails": [email] if email else []}],
    }
    with engine.begin() as conn:
        store(conn, rows)
        iid = key_ids(conn, m.Identity, [("github", login)])[("github", login)]
        pid = conn.execute(m.Person.__table__.insert().values(
            display_name=name, github_login=login, location=location, company=company, email=email,
            homepage=homepage, created_at=T, updated_at=T)).inserted_primary_key[0]
        conn.execute(m.Identity.__table__.update().where(m.Identity.__table__.c.id == iid).values(person_id=pid))
        scores = [("role", k, v) for k, v in (roles or {}).items()]
        scores += [("skill", k, v) for k, v in (skills or {}).items()]
        if overall is not None:
            scores.append(("overall", "overall", overall))
        _set_scores(conn, pid, scores, login=login, flags=score_flags)
    return pid


def _set_scores(conn, pid, scores, *, login="x", flags=None):
    upsert(conn, m.Score, [{"person_id": pid, "dimension": d, "name": n, "value": float(v), "flags": flags}
                          for d, n, v in scores])
    S = m.Score.__table__
    ids = conn.execute(select(S.c.id, S.c.dimension, S.c.name).where(S.c.person_id == pid)).all()
    ev = []
    for sid, d, n in ids:
        ev.append({"score_id": sid, "position": 0, "text": f"{n}: 12 merged PRs to apache/{n} by {login}",
                   "url": f"https://github.com/apache/{n}/pulls?q=author:{login}", "weight": 1.0, "kind": "code"})
        ev.append({"score_id": sid, "position": 1, "text": f"{n}: reviewed 3 PRs", "url": None, "weight": 0.5,
                   "kind": "review"})
    upsert(conn, m.Evidence, ev)


@pytest.fixture
def taxonomy():
    from scoring.taxonomy import load

    return load()


@pytest.fixture
def add_person():
    return _add_person


@pytest.fixture
def set_scores():
    return _set_scores
