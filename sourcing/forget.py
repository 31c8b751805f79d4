"""The right to be forgotten: delete everything stored about a person and keep only hashed keys
so that no later crawl brings them back.

What goes: the person, every identity of theirs and every row that points at one (activities,
authorships, talks spoken, repo contributions, identity links and decisions, the resolver's
keys, work text), their scores and evidence, leads and review, their own repositories (named
after their login) with the rows pointing at those, evidence lines and cursors naming the login,
and their login as the merger of other people's pull requests. What stays: `Suppression` rows
holding salted hashes of their keys (see storage.suppress), which ingest checks on every store.
Rows are found through the schema's foreign keys, so a table added later is covered too.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import Table, func, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models as m
from storage.suppress import identity_keys
from storage.upsert import upsert

_ROOTS = ("person", "identity", "repo")
_CHUNK = 500


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _chunks(values: list, n: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


def suppression_keys(person: dict, identities: list[dict]) -> set[tuple[str, str]]:
    """Hashed keys of a person: those of each identity and of the person's own display fields."""
    keys: set[tuple[str, str]] = set()
    for ident in identities:
        keys.update(identity_keys(ident))
    keys.update(
        identity_keys(
            {
                "login": person.get("github_login"),
                "emails": [person["email"]] if person.get("email") else [],
                "name": person.get("display_name"),
                "urls": [person["homepage"]] if person.get("homepage") else [],
            }
        )
    )
    return keys


def _logins(person: dict, identities: list[dict]) -> set[str]:
    out = {person.get("github_login")}
    for i in identities:
        out.add((i.get("handles") or {}).get("github"))
        if i.get("source") == "github":
            out.update((i.get("login"), i.get("external_key")))
    return {str(x).lower() for x in out if x}


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)  # parents before children


def _referencing(table: Table, doomed: dict[str, set]) -> list:
    """WHERE clauses of `table` rows that point at a doomed row through a foreign key."""
    conds = []
    for fk in table.foreign_keys:
        target = fk.column.table.name
        ids = doomed.get(target)
        if ids and fk.column.name == "id":
            for chunk in _chunks(sorted(ids)):
                conds.append(fk.parent.in_(chunk))
    return conds


def _delete_cascade(conn: Connection, doomed: dict[str, set]) -> Counter:
    """Delete the root rows in `doomed` and, through foreign keys, every row depending on them."""
    tables = _tables()
    referenced = {fk.column.table.name for t in tables for fk in t.foreign_keys}
    plan: dict[str, list] = {}
    for t in tables:
        if t.name in _ROOTS:
            conds = [t.c.id.in_(c) for c in _chunks(sorted(doomed.get(t.name, ())))]
        else:
            conds = _referencing(t, doomed)
        if not conds:
            continue
        plan[t.name] = conds
        if t.name not in _ROOTS and (t.name in referenced or t.name == "activity") and "id" in t.c:
            ids: set = set()
            for cond in conds:
                ids.update(conn.execute(select(t.c.id).where(cond)).scalars())
            doomed[t.name] = ids
    # rows that name deleted activities or repos by reference ("activity:12"), e.g. evidence
    refs = [f"{kind}:{i}" for kind in ("activity", "repo") for i in sorted(doomed.get(kind, ()))]
    counts: Counter = Counter()
    for t in reversed(tables):
        conds = list(plan.get(t.name, ()))
        if "ref" in t.c and refs and t.name not in _ROOTS:
            conds += [t.c.ref.in_(c) for c in _chunks(refs)]
        for cond in conds:
            counts[t.name] += conn.execute(t.delete().where(cond)).rowcount or 0
    return counts


def forget(engine: Engine, person_id: int) -> dict:
    """Delete everything about `person_id` and store suppressions; one transaction.

    Returns counts of deleted rows by table (never who it was) and `suppression_keys`.
    Raises LookupError when there is no such person.
    """
    P, I, R = m.Person.__table__, m.Identity.__table__, m.Repo.__table__
    with engine.begin() as conn:
        prow = conn.execute(select(P).where(P.c.id == person_id)).mappings().first()
        if prow is None:
            raise LookupError(f"no person with id {person_id}")
        person = dict(prow)
        identities = [dict(r) for r in conn.execute(select(I).where(I.c.person_id == person_id)).mappings()]
        keys = suppression_keys(person, identities)
        stamp = _now()
        # keys already stored (someone forgotten twice) keep their first date
        upsert(conn, m.Suppression, [{"kind": k, "key_hash": h, "created_at": stamp} for k, h in sorted(keys)],
               update=())
        logins = _logins(person, identities)
        repo_ids: set[int] = set()
        for login in logins:
            prefix = login + "/"
            repo_ids.update(conn.execute(
                select(R.c.id).where(func.lower(func.substr(R.c.full_name, 1, len(prefix))) == prefix)
            ).scalars())
        doomed = {"person": {person_id}, "identity": {i["id"] for i in identities}, "repo": repo_ids}
        counts = _delete_cascade(conn, doomed)
        counts.update(_scrub_logins(conn, logins))
    out = {k: v for k, v in sorted(counts.items()) if v}
    out["suppression_keys"] = len(keys)
    return out


def _scrub_logins(conn: Connection, logins: set[str]) -> Counter:
    """The login where it is not a foreign key: PR mergers, cursors, evidence lines and links."""
    counts: Counter = Counter()
    if not logins:
        return counts
    A, C, E = m.Activity.__table__, m.Cursor.__table__, m.Evidence.__table__
    # LIKE treats _ and % as wildcards; GitHub logins have neither, anything else is not a login
    logins = {x for x in logins if "%" not in x and "_" not in x}
    L = sorted(logins)
    counts["activity.merged_by"] = conn.execute(
        A.update().where(func.lower(A.c.merged_by).in_(L)).values(merged_by=None)
    ).rowcount or 0
    cursor_cond = [func.lower(C.c.key).in_(L)] + [func.lower(C.c.key).like(f"{x}/%") for x in L]
    counts["cursor"] += conn.execute(C.delete().where(or_(*cursor_cond))).rowcount or 0
    ev_cond = []
    for x in L:
        ev_cond += [func.lower(E.c.url).like(f"%github.com/{x}/%"), func.lower(E.c.url).like(f"%github.com/{x}"),
                    func.lower(E.c.text).like(f"%{x}/%")]
    counts["evidence"] += conn.execute(E.delete().where(or_(*ev_cond))).rowcount or 0
    PC = m.PaperCode.__table__
    pc_cond = [func.lower(PC.c.url).like(f"%github.com/{x}/%") for x in L]
    pc_cond += [func.lower(PC.c.url).like(f"%github.com/{x}") for x in L]
    counts["papercode"] += conn.execute(PC.delete().where(or_(*pc_cond))).rowcount or 0
    return counts


def list_suppressions(engine: Engine) -> list[dict]:
    """One entry per forget (keys stored together), with how many keys of each kind — never
    the hashes, and nothing that says who it was."""
    S = m.Suppression.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(S.c.created_at, S.c.kind, func.count(), func.min(S.c.id))
            .group_by(S.c.created_at, S.c.kind)
            .order_by(S.c.created_at)
        ).all()
    groups: dict[Any, dict] = {}
    for created, kind, n, first in rows:
        g = groups.setdefault(created, {"ref": None, "created_at": created, "keys": {}, "total": 0})
        g["keys"][kind] = n
        g["total"] += n
        g["ref"] = min(first, g["ref"] or first)
    return [{**g, "ref": f"S{g['ref']}"} for g in groups.values()]
