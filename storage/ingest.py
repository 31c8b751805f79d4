"""Storing collected rows: natural-key references resolved to ids, suppressed people dropped,
bookmarks written in the same transaction as the rows they cover.

Rows arrive as plain dicts by table name (see sourcing.sources.contract). References use
natural keys: `repo` -> repo_id, `identity` -> identity_id, `paper` -> paper_id,
`talk` -> talk_id, `event` -> event_id.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from storage import models as m
from storage.suppress import scrub, suppressed_identities
from storage.upsert import key_ids, natural_key, upsert

# parents first, so that children can find their ids
ORDER = [
    "repo",
    "event",
    "identity",
    "paper",
    "talk",
    "repocontributor",
    "activity",
    "authorship",
    "papercode",
    "speaking",
]
MODELS = {
    "repo": m.Repo,
    "event": m.Event,
    "identity": m.Identity,
    "paper": m.Paper,
    "talk": m.Talk,
    "repocontributor": m.RepoContributor,
    "activity": m.Activity,
    "authorship": m.Authorship,
    "papercode": m.PaperCode,
    "speaking": m.Speaking,
}
# reference field -> (table it points at, id column it becomes)
REFS = {
    "repo": (m.Repo, "repo_id"),
    "identity": (m.Identity, "identity_id"),
    "paper": (m.Paper, "paper_id"),
    "talk": (m.Talk, "talk_id"),
    "event": (m.Event, "event_id"),
}


def now() -> datetime:
    return datetime.now(timezone.utc)


def _dedupe(table: str, rows: list[dict]) -> list[dict]:
    """One row per natural key (fields merged, later wins), so a batch never writes a key twice."""
    key = natural_key(MODELS[table])
    merged: dict[tuple, dict] = {}
    for r in rows:
        k = tuple(r.get(c) for c in key)
        if k in merged:
            merged[k].update({c: v for c, v in r.items() if v is not None})
        else:
            merged[k] = r
    return list(merged.values())


def _ensure_repos(conn: Connection, names: set[str]) -> None:
    """A repo referenced before it was crawled (a paper's code link) gets a minimal row."""
    if names:
        upsert(conn, m.Repo, [{"full_name": n, "owner": n.split("/")[0]} for n in sorted(names)], update=())


def store(
    conn: Connection,
    rows: Mapping[str, Iterable[Mapping[str, Any]]],
    checkpoints: Iterable[Mapping[str, Any]] = (),
) -> dict[str, int]:
    """Store one batch and its bookmarks on `conn` (the caller owns the transaction).

    Returns rows stored per table, and `suppressed` for identities dropped because the person
    asked to be forgotten.
    """
    batch = {t: [dict(r) for r in rows.get(t, ())] for t in ORDER}
    unknown = set(rows) - set(ORDER)
    if unknown:
        raise ValueError(f"cannot store rows of unknown table(s): {sorted(unknown)}")
    counts: dict[str, int] = {}

    dropped = suppressed_identities(conn, batch["identity"])
    if dropped:
        batch["identity"] = [
            r for r in batch["identity"] if (r["source"], r["external_key"]) not in dropped
        ]
        for t in ORDER:
            batch[t] = [r for r in batch[t] if _ref_identity(r) not in dropped]
        counts["suppressed"] = len(dropped)
    scrubbed = scrub(conn, batch)  # their own repos, rows pointing at them, their login as merger
    if scrubbed:
        counts["scrubbed"] = scrubbed

    referenced_repos = {r["repo"] for t in ORDER for r in batch[t] if t != "repo" and r.get("repo")}
    known = {r["full_name"] for r in batch["repo"]}
    _ensure_repos(conn, referenced_repos - known)

    ids: dict[str, dict] = {}
    for table in ORDER:
        todo = batch[table]
        if not todo:
            continue
        todo = _resolve(conn, table, todo, ids)
        todo = _dedupe(table, todo)
        counts[table] = upsert(conn, MODELS[table], todo)
    cps = list(checkpoints)
    if cps:
        stamp = now()
        upsert(conn, m.Cursor, [{**cp, "updated_at": stamp} for cp in cps])
        counts["cursor"] = len(cps)
    return counts


def _ref_identity(row: Mapping[str, Any]) -> tuple | None:
    v = row.get("identity")
    return tuple(v) if v is not None else None


def _resolve(conn: Connection, table: str, rows: list[dict], ids: dict[str, dict]) -> list[dict]:
    """Replace natural-key references with ids, looking up each referenced table once."""
    out = rows
    for ref, (model, id_col) in REFS.items():
        if ref == table or not any(ref in r for r in rows):
            continue
        wanted = {_norm(r[ref]) for r in rows if r.get(ref) is not None}
        cache = ids.setdefault(ref, {})
        missing = [k for k in wanted if k not in cache]
        if missing:
            cache.update(key_ids(conn, model, missing))
        resolved = []
        for r in out:
            if ref in r:
                k = _norm(r.pop(ref))
                if k is None:
                    # no reference: keep the row when the column may be empty (a paper with no
                    # event, a code link to no repo), drop it when it may not (no identity)
                    if model_col_nullable(table, id_col):
                        r[id_col] = None
                        resolved.append(r)
                    continue
                if k not in cache:
                    raise LookupError(f"{table}: {ref} {k!r} is not stored and not in this batch")
                r[id_col] = cache[k]
            resolved.append(r)
        out = resolved
    return out


def model_col_nullable(table: str, col: str) -> bool:
    c = MODELS[table].__table__.c.get(col)
    return c is not None and bool(c.nullable)


def _norm(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def store_batch(
    engine: Engine, rows: Mapping[str, Iterable[Mapping[str, Any]]], checkpoints: Iterable[Mapping[str, Any]] = ()
) -> dict[str, int]:
    """`store` in a transaction of its own."""
    with engine.begin() as conn:
        return store(conn, rows, checkpoints)


def cursors(engine: Engine, source: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Stored bookmarks of one source, by (category, key)."""
    t = m.Cursor.__table__
    with engine.connect() as conn:
        return {
            (r.category, r.key): dict(r._mapping)
            for r in conn.execute(select(t).where(t.c.source == source))
        }
