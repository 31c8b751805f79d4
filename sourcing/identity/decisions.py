"""Human decisions and explanations: merge, split, accept or dismiss a suggestion, show a person.

Decisions are stored as IdentityDecision rows between two identities ("same" / "not_same") and
every later resolve honours them; each one re-clusters the people it touches at once, through
the same code as the resolve pass, so what a human sees right after a decision is what the next
night produces. Identities themselves are never rewritten (only their person_id).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy.engine import Connection, Engine

from sourcing.identity.features import _rows
from sourcing.identity.resolve import _many, resolve_ids


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _members(conn: Connection, person_id: int) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in _rows(conn, "SELECT id, source FROM identity WHERE person_id = ? ORDER BY id", (person_id,))]


def _require_person(conn: Connection, person_id: int) -> list[tuple[int, str]]:
    if not _rows(conn, "SELECT 1 FROM person WHERE id = ?", (int(person_id),)):
        raise LookupError(f"no person with id {person_id}")
    members = _members(conn, int(person_id))
    if not members:
        raise LookupError(f"person {person_id} has no identities")
    return members


def _decide(conn: Connection, a: int, b: int, decision: str, reviewer: Optional[str], note: Optional[str]) -> None:
    a, b = min(a, b), max(a, b)
    _many(
        conn,
        "INSERT INTO identitydecision (identity_a, identity_b, decision, reviewer, note, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (identity_a, identity_b) DO UPDATE SET "
        "decision = excluded.decision, reviewer = excluded.reviewer, note = excluded.note, "
        "created_at = excluded.created_at",
        [(a, b, decision, reviewer, note, _now())],
    )


def _drop_decisions(conn: Connection, xs: Iterable[int], ys: Iterable[int], decision: str) -> None:
    pairs = [(min(x, y), max(x, y), decision) for x in xs for y in ys if x != y]
    _many(conn, "DELETE FROM identitydecision WHERE identity_a = ? AND identity_b = ? AND decision = ?", pairs)


def _representative(members: list[tuple[int, str]]) -> int:
    return next((i for i, s in members if s == "github"), members[0][0])


def _person_of(conn: Connection, identity_id: int) -> Optional[int]:
    got = _rows(conn, "SELECT person_id FROM identity WHERE id = ?", (identity_id,))
    return got[0][0] if got else None


def merge(engine: Engine, a: int, b: int, *, reviewer: Optional[str] = None, note: Optional[str] = None) -> dict:
    """Join person `b` into person `a` for good: `a` keeps its id, reviews and leads; `b`'s move to it."""
    a, b = int(a), int(b)
    if a == b:
        raise ValueError("cannot merge a person with itself")
    with engine.begin() as conn:
        ma, mb = _require_person(conn, a), _require_person(conn, b)
        _drop_decisions(conn, [i for i, _ in ma], [i for i, _ in mb], "not_same")
        _decide(conn, _representative(ma), _representative(mb), "same", reviewer, note or f"merge {a} {b}")
        stats = resolve_ids(conn, [i for i, _ in ma + mb], prefer=[a])
        survivor = _person_of(conn, ma[0][0])
    return {"person": survivor, "absorbed": b, "identities": len(ma) + len(mb), "warnings": stats["warnings"]}


def split(engine: Engine, person_id: int, identity_id: int, *, reviewer: Optional[str] = None, note: Optional[str] = None) -> dict:
    """Take one identity out of a person for good; the rest keeps the person's id (and reviews).
    The identity row itself is untouched except for its person_id."""
    person_id, identity_id = int(person_id), int(identity_id)
    with engine.begin() as conn:
        members = _require_person(conn, person_id)
        ids = [i for i, _ in members]
        if identity_id not in ids:
            raise LookupError(f"identity {identity_id} does not belong to person {person_id}")
        if len(ids) == 1:
            raise ValueError(f"person {person_id} has a single identity: nothing to split")
        others = [i for i in ids if i != identity_id]
        _drop_decisions(conn, [identity_id], others, "same")
        for o in others:
            _decide(conn, identity_id, o, "not_same", reviewer, note or f"split {person_id} {identity_id}")
        stats = resolve_ids(conn, ids, prefer=[person_id], detach=[identity_id])
        new_pid = _person_of(conn, identity_id)
        kept = _person_of(conn, others[0])
    return {"person": kept, "identity": identity_id, "new_person": new_pid, "warnings": stats["warnings"]}


def _link(conn: Connection, link_id: int) -> tuple:
    got = _rows(conn, "SELECT id, identity_a, identity_b, status, reason, confidence FROM identitylink WHERE id = ?", (int(link_id),))
    if not got:
        raise LookupError(f"no identity link with id {link_id}")
    return got[0]


def accept(engine: Engine, link_id: int, *, reviewer: Optional[str] = None) -> dict:
    """A human confirms a suggestion: the two identities (and their people) become one."""
    with engine.begin() as conn:
        lid, a, b, status, reason, _ = _link(conn, link_id)
        if status == "auto":
            return {"link": lid, "status": "auto", "person": _person_of(conn, a), "changed": False}
        pa, pb = _person_of(conn, a), _person_of(conn, b)
        _decide(conn, a, b, "same", reviewer, f"accepted: {reason[:200]}")
        ids = [i for p in {pa, pb} if p is not None for i, _ in _members(conn, p)] + [a, b]
        prefer = [min(p for p in (pa, pb) if p is not None)] if (pa or pb) else []
        stats = resolve_ids(conn, ids, prefer=prefer)
        return {"link": lid, "status": "accepted", "person": _person_of(conn, a), "changed": True,
                "warnings": stats["warnings"]}


def dismiss(engine: Engine, link_id: int, *, reviewer: Optional[str] = None) -> dict:
    """A human rejects a suggestion: the two identities are never joined automatically again."""
    with engine.begin() as conn:
        lid, a, b, status, reason, _ = _link(conn, link_id)
        if status == "auto":
            raise ValueError(
                f"link {lid} joined two identities automatically; to separate them use "
                f"`sourcing person split PERSON IDENTITY`"
            )
        _decide(conn, a, b, "not_same", reviewer, f"dismissed: {reason[:200]}")
        if _person_of(conn, a) == _person_of(conn, b):
            resolve_ids(conn, [a, b])
        _many(conn, "UPDATE identitylink SET status = 'dismissed' WHERE id = ?", [(lid,)])
        return {"link": lid, "status": "dismissed", "changed": True}


def _identity_brief(row: tuple) -> dict:
    iid, source, ext, name, pid = row
    return {"id": iid, "source": source, "external_key": ext, "name": name, "person_id": pid}


def suggestions(engine: Engine, *, limit: Optional[int] = None) -> list[dict]:
    """Open suggestions, most likely first: {id, confidence, reason, a, b} (a/b: identity briefs)."""
    with engine.connect() as conn:
        sql = (
            "SELECT l.id, l.confidence, l.reason, "
            "a.id, a.source, a.external_key, a.name, a.person_id, b.id, b.source, b.external_key, b.name, b.person_id "
            "FROM identitylink l JOIN identity a ON a.id = l.identity_a JOIN identity b ON b.id = l.identity_b "
            "WHERE l.status = 'suggested' ORDER BY l.confidence DESC, l.id"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [
            {"id": r[0], "confidence": r[1], "reason": r[2], "a": _identity_brief(r[3:8]), "b": _identity_brief(r[8:13])}
            for r in _rows(conn, sql)
        ]


def _identity_urls(source: str, ext: str, urls: Any, conn: Connection, cache: dict) -> list[dict]:
    """Public pages of an identity: the profile, the paper, the talk, and links it lists."""
    out: list[dict] = []
    key = ext.rsplit("#", 1)[0]
    if source == "github":
        out.append({"url": f"https://github.com/{ext}", "label": "GitHub profile"})
    elif source in ("arxiv", "proceedings"):
        got = _rows(conn, "SELECT url, title FROM paper WHERE key = ?", (key,))
        if got and got[0][0]:
            out.append({"url": got[0][0], "label": got[0][1] or key})
    elif source == "talks":
        got = _rows(conn, "SELECT url, title FROM talk WHERE key = ?", (key,))
        if got and got[0][0]:
            out.append({"url": got[0][0], "label": got[0][1] or key})
    for u in urls or ():
        if isinstance(u, str) and u.startswith(("http://", "https://")) and all(u != o["url"] for o in out):
            out.append({"url": u, "label": u})
    return out


def person_detail(engine: Engine, person_id: int) -> dict:
    """A person, its identities (source, external key, name, pages) and why they are one person:
    the links joining them (reason, confidence, auto/accepted) and the human decisions.
    Raises LookupError for an unknown person."""
    import json

    person_id = int(person_id)
    with engine.connect() as conn:
        cols = ("id", "display_name", "github_login", "location", "company", "homepage", "email", "is_bot", "suppressed")
        got = _rows(conn, f"SELECT {', '.join(cols)} FROM person WHERE id = ?", (person_id,))
        if not got:
            raise LookupError(f"no person with id {person_id}")
        person = dict(zip(cols, got[0]))
        person["is_bot"], person["suppressed"] = bool(person["is_bot"]), bool(person["suppressed"])
        rows = _rows(
            conn,
            "SELECT id, source, external_key, name, login, kind, affiliation, company, location, emails, handles, urls "
            "FROM identity WHERE person_id = ? ORDER BY source != 'github', id",
            (person_id,),
        )
        ids = [r[0] for r in rows]
        label = {r[0]: f"{r[1]}:{r[2]}" + (f" ({r[3]})" if r[3] else "") for r in rows}
        identities = []
        cache: dict = {}
        for r in rows:
            emails, handles, urls = (json.loads(x) if isinstance(x, str) else x for x in r[9:12])
            identities.append(
                {
                    "id": r[0], "source": r[1], "external_key": r[2], "name": r[3], "login": r[4], "kind": r[5],
                    "affiliation": r[6], "company": r[7], "location": r[8], "emails": emails or [],
                    "handles": handles or {}, "urls": urls or [],
                    "links": _identity_urls(r[1], r[2], urls, conn, cache),
                }
            )
        links, decisions, outside = [], [], []
        if ids:
            q = ",".join("?" * len(ids))
            for lid, a, b, reason, conf, status in _rows(
                conn,
                f"SELECT id, identity_a, identity_b, reason, confidence, status FROM identitylink "
                f"WHERE identity_a IN ({q}) OR identity_b IN ({q}) ORDER BY confidence DESC, id",
                tuple(ids) * 2,
            ):
                item = {"id": lid, "identity_a": a, "identity_b": b, "reason": reason, "confidence": conf, "status": status}
                if a in label and b in label:
                    links.append(item)
                else:
                    outside.append(item)
            for a, b, d, reviewer, note, created in _rows(
                conn,
                f"SELECT identity_a, identity_b, decision, reviewer, note, created_at FROM identitydecision "
                f"WHERE identity_a IN ({q}) OR identity_b IN ({q}) ORDER BY id",
                tuple(ids) * 2,
            ):
                decisions.append(
                    {"identity_a": a, "identity_b": b, "decision": d, "reviewer": reviewer, "note": note,
                     "created_at": str(created) if created else None}
                )
        why = []
        for l in links:
            if l["status"] in ("auto", "accepted"):
                pair = f"{label[l['identity_a']]} = {label[l['identity_b']]}"
                text = f"{pair}: {l['reason']}" + (" — confirmed by a human" if l["status"] == "accepted" else "")
                why.append({"text": text, "reason": l["reason"], "confidence": l["confidence"], "status": l["status"], "kind": "link"})
        for d in decisions:
            if d["decision"] == "same" and d["identity_a"] in label and d["identity_b"] in label:
                text = f"a human decided {label[d['identity_a']]} and {label[d['identity_b']]} are the same person"
                why.append({"text": text, "reason": text, "confidence": 1.0, "status": "decision", "kind": "decision"})
    return {
        "person": person,
        "identities": identities,
        "links": links,
        "why": why,
        "decisions": decisions,
        "suggestions": [o for o in outside if o["status"] == "suggested"],
    }
