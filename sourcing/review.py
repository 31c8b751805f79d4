"""Sourcers' decisions: one review (status and notes) per person, kept across runs and merges.

A review belongs to the person, not to a lead list, so tomorrow's list still knows who was
contacted. When identity resolution merges two people, `move_reviews` carries the decision to
the surviving person.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from storage.models import Identity, Person, Review

STATUSES = ("new", "shortlisted", "contacted", "rejected", "hired")
# when two reviewed people turn out to be one, the decision that went furthest wins
_PRECEDENCE = {"new": 0, "rejected": 1, "shortlisted": 2, "contacted": 3, "hired": 4}

_R = Review.__table__
_P = Person.__table__
_I = Identity.__table__


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _conn_or(engine_or_conn):
    """Run on a Connection as is, or open a transaction on an Engine."""
    if isinstance(engine_or_conn, Connection):
        from contextlib import nullcontext

        return nullcontext(engine_or_conn)
    return engine_or_conn.begin()


def resolve_person(engine: Engine | Connection, ref: Any) -> int:
    """A person id from what a sourcer types: an id, a GitHub login (any case), "@login",
    "github:login" or "id:123". Raises LookupError with a clear message."""
    text = str(ref).strip()
    with _conn_or(engine) as conn:
        if text.lower().startswith("id:") or text.isdigit():
            raw = text[3:] if text.lower().startswith("id:") else text
            if raw.isdigit() and conn.execute(select(_P.c.id).where(_P.c.id == int(raw))).first():
                return int(raw)
            if text.lower().startswith("id:"):
                raise LookupError(f"no person with id {raw}")
        login = text.removeprefix("@")
        if login.lower().startswith("github:"):
            login = login[7:]
        pid = conn.execute(
            select(_P.c.id).where(func.lower(_P.c.github_login) == login.lower()).order_by(_P.c.id).limit(1)
        ).scalar()
        if pid is None:
            pid = conn.execute(
                select(_I.c.person_id).where(
                    _I.c.source == "github", func.lower(_I.c.external_key) == login.lower(), _I.c.person_id.is_not(None)
                ).limit(1)
            ).scalar()
        if pid is None:
            raise LookupError(f"no person with id or GitHub login '{text}'")
        return int(pid)


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
    return status


def _note_line(note: str, reviewer: Optional[str], when: datetime) -> str:
    who = f" {reviewer}" if reviewer else ""
    return f"{when:%Y-%m-%d}{who}: {note.strip()}"


def set_status(
    engine: Engine | Connection,
    person_id: int,
    status: Optional[str],
    note: Optional[str] = None,
    reviewer: Optional[str] = None,
    *,
    replace_note: bool = False,
) -> dict:
    """Record a decision on a person. `status` None keeps the current one (a note only).

    A note is added as a dated line under the earlier ones ("2026-05-02 ana: called, no answer");
    `replace_note=True` replaces them all (an empty string clears them). Returns the review.
    """
    if status is not None:
        _check_status(status)
    when = _now()
    with _conn_or(engine) as conn:
        if conn.execute(select(_P.c.id).where(_P.c.id == person_id)).first() is None:
            raise LookupError(f"no person with id {person_id}")
        cur = conn.execute(select(_R).where(_R.c.person_id == person_id)).first()
        old_note = cur.note if cur else None
        if note is None:
            new_note = old_note
        elif replace_note:
            new_note = note.strip() or None
        elif note.strip():
            line = _note_line(note, reviewer, when)
            new_note = f"{old_note}\n{line}" if old_note else line
        else:
            new_note = old_note
        values = {
            "status": status or (cur.status if cur else "new"),
            "note": new_note,
            "reviewer": reviewer or (cur.reviewer if cur else None),
            "updated_at": when,
        }
        if cur is None:
            conn.execute(_R.insert().values(person_id=person_id, **values))
        else:
            conn.execute(_R.update().where(_R.c.id == cur.id).values(**values))
        return {"person_id": person_id, **values}


def get_review(engine: Engine | Connection, person_id: int) -> dict:
    """The person's review; a person never reviewed is `new` with no note."""
    with _conn_or(engine) as conn:
        row = conn.execute(select(_R).where(_R.c.person_id == person_id)).first()
    if row is None:
        return {"person_id": person_id, "status": "new", "note": None, "reviewer": None, "updated_at": None}
    return {"person_id": person_id, "status": row.status, "note": row.note, "reviewer": row.reviewer,
            "updated_at": row.updated_at}


def list_reviews(engine: Engine, status: Optional[str | Iterable[str]] = None) -> list[dict]:
    """Reviewed people (with name and GitHub login), most recently decided first."""
    q = select(_R, _P.c.display_name, _P.c.github_login).join(_P, _P.c.id == _R.c.person_id)
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        for s in wanted:
            _check_status(s)
        q = q.where(_R.c.status.in_(wanted))
    with engine.connect() as conn:
        rows = conn.execute(q.order_by(_R.c.updated_at.desc(), _R.c.id.desc())).all()
    return [
        {"person_id": r.person_id, "name": r.display_name or r.github_login, "github": r.github_login,
         "status": r.status, "note": r.note, "reviewer": r.reviewer, "updated_at": r.updated_at}
        for r in rows
    ]


def _ts(row) -> datetime:
    # SQLite hands datetimes back without their zone: compare them all as naive UTC
    return row.updated_at.replace(tzinfo=None) if row.updated_at else datetime.min


def move_reviews(conn: Connection, from_ids: Iterable[int], to_id: int) -> int:
    """Carry the reviews of merged-away people to the surviving person `to_id` (on the caller's
    transaction). The furthest-going status wins (hired > contacted > shortlisted > rejected >
    new); notes are kept, oldest first. Returns how many reviews were moved or folded in."""
    from_ids = [i for i in from_ids if i != to_id]
    if not from_ids:
        return 0
    rows = conn.execute(select(_R).where(_R.c.person_id.in_([*from_ids, to_id]))).all()
    if not rows:
        return 0
    moved = [r for r in rows if r.person_id != to_id]
    rows = sorted(rows, key=lambda r: (_ts(r), r.id))
    best = max(rows, key=lambda r: (_PRECEDENCE.get(r.status, 0), _ts(r), r.id))
    notes = [r.note for r in rows if r.note]
    latest = rows[-1]
    values = {
        "status": best.status,
        "note": "\n".join(dict.fromkeys(notes)) or None,
        "reviewer": latest.reviewer,
        "updated_at": latest.updated_at,
    }
    conn.execute(_R.delete().where(_R.c.person_id.in_(from_ids)))
    keep = conn.execute(select(_R.c.id).where(_R.c.person_id == to_id)).scalar()
    if keep is None:
        conn.execute(_R.insert().values(person_id=to_id, **values))
    else:
        conn.execute(_R.update().where(_R.c.id == keep).values(**values))
    return len(moved)
