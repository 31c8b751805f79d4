"""The scoring pass end to end: load, compute, pick evidence, write Score and Evidence rows.

Scores are rewritten whole in one transaction (delete, then bulk insert with ids given in a
fixed order): measured faster than upserting 10^6 rows, readers see the old scores until the
commit, scores of people who no longer exist disappear, and the same database always gives
the same rows.
"""

from __future__ import annotations

import json
import time
from typing import Callable, Optional

import numpy as np
from sqlalchemy.engine import Connection, Engine

from scoring import capability, evidence, load
from scoring import weights as weights_mod
from scoring.taxonomy import Taxonomy
from scoring.taxonomy import load as load_taxonomy

DIMENSION_ORDER = {"overall": 0, "role": 1, "skill": 2}


def _marks(conn: Connection, n: int) -> str:
    return ",".join(["%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"] * n)


def _insert(conn: Connection, table: str, cols: tuple[str, ...], data: list[tuple], chunk: int = 50_000) -> None:
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(conn, len(cols))})"
    cur = conn.connection.dbapi_connection.cursor()
    try:
        for i in range(0, len(data), chunk):
            cur.executemany(sql, data[i : i + chunk])
    finally:
        cur.close()


def score(
    engine: Engine,
    *,
    taxonomy: Taxonomy | str | None = None,
    weights_path: Optional[str] = None,
    run_id: Optional[int] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> dict:
    """Score every person from what is stored; returns counts and per-phase timings (seconds)."""
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    w = weights_mod.load(weights_path)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    data = load.load(engine, w, progress=progress)
    timings["load"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("load")
    res = capability.compute(data, tax, w, progress=progress, timings=timings)

    t0 = time.perf_counter()
    st = w["store"]
    value, raw = res.value, res.raw
    n_cols = len(res.columns)
    is_overall = np.array([d == "overall" for d, _ in res.columns])
    stored = (value >= st["min_value"]) | ((raw > 0) & is_overall[None, :])
    stored &= ~data.person_bot[:, None]
    p_idx, c_idx = np.nonzero(stored)
    # rank within each column: highest raw first, ties by person id
    order = np.lexsort((data.person_id[p_idx], -raw[p_idx, c_idx], c_idx))
    p_idx, c_idx = p_idx[order], c_idx[order]
    new = np.r_[True, c_idx[1:] != c_idx[:-1]] if len(c_idx) else np.zeros(0, dtype=bool)
    start = np.maximum.accumulate(np.where(new, np.arange(len(new)), 0)) if len(new) else new
    rank = np.arange(len(c_idx)) - start + 1
    # ids in a fixed order: overall, roles, skills; within a column by rank
    col_order = np.array([DIMENSION_ORDER[d] for d, _ in res.columns])
    order2 = np.lexsort((rank, c_idx, col_order[c_idx]))
    p_idx, c_idx, rank = p_idx[order2], c_idx[order2], rank[order2]
    score_id = np.arange(1, len(p_idx) + 1)
    sid = np.zeros((data.n_people, n_cols), dtype=np.int64)
    sid[p_idx, c_idx] = score_id
    flag_json = {p: json.dumps(sorted(f)) for p, f in res.flags.items()}
    pid = data.person_id
    vals = np.round(value[p_idx, c_idx], 2)
    score_rows = [
        (int(i), int(pid[p]), res.columns[c][0], res.columns[c][1], float(v), int(r), run_id, flag_json.get(int(p)))
        for i, p, c, v, r in zip(score_id, p_idx, c_idx, vals, rank)
    ]
    timings["rank"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("rank")

    t0 = time.perf_counter()
    item, col, share, pos = evidence.select(res, w)
    texts = evidence.lines(engine, data, res, item)
    ev_score = sid[res.items.person[item], col]
    ev_rows = []
    for s_id, it, p_, sh in zip(ev_score, item, pos, share):
        if s_id == 0:
            continue
        text, url, kind, ref = texts[int(it)]
        ev_rows.append((int(s_id), int(p_), text, url, float(sh), kind, ref))
    ev_rows.sort(key=lambda r: (r[0], r[1]))
    ev_rows = [(i + 1,) + r for i, r in enumerate(ev_rows)]
    timings["evidence"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("evidence")

    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM evidence")
        conn.exec_driver_sql("DELETE FROM score")
        _insert(conn, "score", ("id", "person_id", "dimension", "name", "value", "rank", "run_id", "flags"), score_rows)
        _insert(conn, "evidence", ("id", "score_id", "position", "text", "url", "weight", "kind", "ref"), ev_rows)
        if conn.dialect.name == "postgresql":
            for t in ("score", "evidence"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce((SELECT max(id) FROM {t}), 1))"
                )
    timings["write"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("write")
    timings["total"] = round(time.perf_counter() - t_all, 3)
    counts = dict(res.counts)
    counts.update(
        scored_people=int(np.count_nonzero(stored[:, is_overall].any(axis=1))),
        scores=len(score_rows),
        evidence=len(ev_rows),
        flagged_people=len(res.flags),
    )
    load_t = {f"load.{k}": round(v, 3) for k, v in data.timings.items()}
    return {"counts": counts, "timings": {**timings, **load_t}, "now": data.now_day}
