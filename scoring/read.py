"""Reading scores back: one person's scores with evidence, and the top of one dimension.

For `sourcing person show`, the web page and lead lists; plain dicts, no ORM objects.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from storage.models import Evidence, Score

_DIM_ORDER = {"overall": 0, "role": 1, "skill": 2}


def person_scores(engine: Engine, person_id: int) -> list[dict]:
    """Every stored score of a person: overall first, then roles, then skills, strongest first.

    Each: {dimension, name, value, rank, run_id, flags, evidence: [{text, url, weight, kind, ref}]}.
    """
    s, e = Score.__table__, Evidence.__table__
    with engine.connect() as conn:
        scores = conn.execute(select(s).where(s.c.person_id == person_id)).mappings().all()
        ids = [r["id"] for r in scores]
        ev: dict[int, list[dict]] = {i: [] for i in ids}
        if ids:
            for start in range(0, len(ids), 500):
                q = select(e).where(e.c.score_id.in_(ids[start : start + 500])).order_by(e.c.score_id, e.c.position)
                for r in conn.execute(q).mappings():
                    ev[r["score_id"]].append(
                        {"text": r["text"], "url": r["url"], "weight": r["weight"], "kind": r["kind"], "ref": r["ref"]}
                    )
    out = [
        {
            "dimension": r["dimension"],
            "name": r["name"],
            "value": r["value"],
            "rank": r["rank"],
            "run_id": r["run_id"],
            "flags": list(r["flags"] or []),
            "evidence": ev[r["id"]],
        }
        for r in scores
    ]
    out.sort(key=lambda d: (_DIM_ORDER.get(d["dimension"], 9), -d["value"], d["name"]))
    return out


def top(engine: Engine, dimension: str, name: str, *, limit: int = 50, min_value: float = 0.0,
        person_ids: Optional[list[int]] = None) -> list[dict]:
    """The best people of one score column: [{person_id, value, rank, flags}], by rank."""
    s = Score.__table__
    q = (
        select(s.c.person_id, s.c.value, s.c.rank, s.c.flags)
        .where(s.c.dimension == dimension, s.c.name == name, s.c.value >= min_value)
        .order_by(s.c.rank)
        .limit(limit)
    )
    if person_ids is not None:
        q = q.where(s.c.person_id.in_(person_ids))
    with engine.connect() as conn:
        return [
            {"person_id": r.person_id, "value": r.value, "rank": r.rank, "flags": list(r.flags or [])}
            for r in conn.execute(q)
        ]
