"""The scoring pass end to end: load, compute, pick evidence, write Score and Evidence rows.

Scores are rewritten whole in one transaction (delete, then bulk insert with ids given in a
fixed order): measured faster than upserting 10^6 rows, readers see the old scores until the
commit, scores of people who no longer exist disappear, and the same database always gives
the same rows.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Callable, Optional

import numpy as np
from sqlalchemy.engine import Connection, Engine

from scoring import capability, evidence, load, parallel, skills
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


PARALLEL_ROWS = 50_000  # activities above which they are read by a second process


def _big(engine: Engine) -> bool:
    with engine.connect() as conn:
        # max(id) is instant where count(*) scans; close enough to decide
        n = load.rows(conn, "SELECT max(id) FROM activity")[0][0] or 0
    return n > PARALLEL_ROWS


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
    # activity and authorships (the heaviest reads) come in on the other core while this one
    # matches keywords in titles and abstracts and reads people, papers and talks
    heavy = parallel.background(load.read_heavy, engine, int(w["antigaming"]["trivial_max_lines"]),
                                parallel=_big(engine))
    text = skills.text_matrices(engine, tax, w)
    timings["text"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    data = load.load(engine, w, progress=progress, heavy=heavy)
    timings["load"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("load")
    res = capability.compute(data, tax, w, text, progress=progress, timings=timings)

    t0 = time.perf_counter()
    st = w["store"]
    value, raw = res.value, res.raw
    n_people, n_cols = value.shape
    dims = [d for d, _ in res.columns]
    is_overall = np.array([d == "overall" for d in dims])
    human = ~data.person_bot
    # rank in each column among everyone with a score there: highest raw first, ties by person id
    rank = np.zeros((n_people, n_cols), dtype=np.int64)
    for j in range(n_cols):
        pos = np.flatnonzero((raw[:, j] > 0) & human)
        order = pos[np.lexsort((data.person_id[pos], -raw[pos, j]))]
        rank[order, j] = np.arange(1, len(order) + 1)
    scored = rank > 0
    # stored: overall for everyone scored; skills and roles at or above the floor within the top
    # `max_rank` of their column (what lead lists and pages show; the long tail is not worth a row)
    stored = scored & (is_overall[None, :] | ((value >= st["min_value"]) & (rank <= st["max_rank"])))
    # evidence: strongest lines of the scores a sourcer opens, the top of every column
    ev_rank = np.where(is_overall, st["evidence_rank_overall"], st["evidence_rank"])
    wants = stored & (value >= st["evidence_floor"]) & (rank <= ev_rank[None, :])
    p_idx, c_idx = np.nonzero(stored)
    # ids in a fixed order: overall, roles, skills; within a column by rank
    col_order = np.array([DIMENSION_ORDER[d] for d in dims])
    order = np.lexsort((rank[p_idx, c_idx], c_idx, col_order[c_idx]))
    p_idx, c_idx = p_idx[order], c_idx[order]
    score_id = np.arange(1, len(p_idx) + 1)
    sid = np.zeros((n_people, n_cols), dtype=np.int64)
    sid[p_idx, c_idx] = score_id
    flag_json = {p: json.dumps(sorted(f)) for p, f in res.flags.items()}
    pid = data.person_id.tolist()
    names = [(d, n) for d, n in res.columns]
    vals = np.round(value[p_idx, c_idx], 2).tolist()
    ranks = rank[p_idx, c_idx].tolist()
    score_rows = [
        (i, pid[p], names[c][0], names[c][1], v, r, run_id, flag_json.get(p))
        for i, p, c, v, r in zip(score_id.tolist(), p_idx.tolist(), c_idx.tolist(), vals, ranks)
    ]
    del rank
    timings["rank"] = round(time.perf_counter() - t0, 3)
    if progress:
        progress("rank")

    # one transaction: old scores out, new in. Scores are written by a thread while this one
    # words the evidence (SQLite releases the GIL while it inserts), then the evidence follows.
    t0 = time.perf_counter()
    conn = engine.connect()
    trans = conn.begin()
    failed: list[BaseException] = []

    def write_scores() -> None:
        try:
            conn.exec_driver_sql("DELETE FROM evidence")
            conn.exec_driver_sql("DELETE FROM score")
            _insert(conn, "score", ("id", "person_id", "dimension", "name", "value", "rank", "run_id", "flags"), score_rows)
        except BaseException as exc:  # noqa: BLE001 — re-raised by the main thread
            failed.append(exc)

    writer = threading.Thread(target=write_scores, name="scoring-write")
    writer.start()
    try:
        item, col, share, pos = evidence.select(res, w, wants)
        texts = evidence.lines(engine, data, res, item)
        ev_score = sid[res.items.person[item], col]
        ev_rows = []
        for s_id, it, p_, sh in zip(ev_score.tolist(), item.tolist(), pos.tolist(), share.tolist()):
            text, url, kind, ref = texts[it]
            ev_rows.append((s_id, p_, text, url, sh, kind, ref))
        ev_rows.sort(key=lambda r: (r[0], r[1]))
        ev_rows = [(i + 1,) + r for i, r in enumerate(ev_rows)]
        timings["evidence"] = round(time.perf_counter() - t0, 3)
        if progress:
            progress("evidence")
        t0 = time.perf_counter()
        writer.join()
        if failed:
            raise failed[0]
        _insert(conn, "evidence", ("id", "score_id", "position", "text", "url", "weight", "kind", "ref"), ev_rows)
        if conn.dialect.name == "postgresql":
            for t in ("score", "evidence"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce((SELECT max(id) FROM {t}), 1))"
                )
        trans.commit()
    except BaseException:
        writer.join()
        trans.rollback()
        raise
    finally:
        conn.close()
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
