"""One function per stage: each measures the product's way beside the limit the machine allows."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench.measure import PeakRSS, Result, repeat
from storage import ensure_schema, make_engine
from storage.ingest import MODELS, ORDER, store

ROOT = Path(__file__).resolve().parent.parent


def fresh_db(path: Path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    eng = make_engine(f"sqlite:///{path}")
    ensure_schema(eng)
    return eng


def copy_db(src: Path, dst: Path):
    src_eng = make_engine(f"sqlite:///{src}")
    with src_eng.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    src_eng.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return make_engine(f"sqlite:///{dst}")


def row_count(rows: dict) -> int:
    return sum(len(v) for v in rows.values())


# --- 1. ingest ---------------------------------------------------------------------------------


def ingest_all(engine, rows: dict[str, list[dict]], batch: int = 50_000) -> dict[str, int]:
    """The collectors' path: storage.ingest.store (natural keys resolved), in batches."""
    counts: dict[str, int] = {}
    for table in ORDER:
        todo = rows.get(table, [])
        for i in range(0, len(todo), batch):
            with engine.begin() as conn:
                for k, v in store(conn, {table: todo[i : i + batch]}).items():
                    counts[k] = counts.get(k, 0) + v
    return counts


def _resolved(engine) -> dict[str, list[dict]]:
    """Every ingest table read back as rows with ids: the same rows for both writers."""
    out = {}
    with engine.connect() as conn:
        for t in ORDER:
            table = MODELS[t].__table__
            out[t] = [dict(r._mapping) for r in conn.execute(select(table))]
    return out


def _sql_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return v


def raw_upsert(path: Path, rows: dict[str, list[dict]]) -> int:
    """The limit: sqlite3.executemany with INSERT ... ON CONFLICT DO UPDATE, written by hand."""
    from storage.upsert import natural_key

    con = sqlite3.connect(path, isolation_level=None)
    for p in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "temp_store=MEMORY", "cache_size=-65536"):
        con.execute(f"PRAGMA {p}")
    n = 0
    for t in ORDER:
        todo = rows[t]
        if not todo:
            continue
        cols = list(todo[0].keys())
        key = natural_key(MODELS[t])
        upd = [c for c in cols if c not in key and c != "id"]
        sql = (
            f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in upd)} "
            f"WHERE {' OR '.join(f'{c} IS NOT excluded.{c}' for c in upd)}"
        )
        con.execute("BEGIN")
        for i in range(0, len(todo), 20_000):
            con.executemany(sql, [tuple(_sql_value(r[c]) for c in cols) for r in todo[i : i + 20_000]])
        con.execute("COMMIT")
        n += len(todo)
    con.close()
    return n


def core_upsert(engine, rows: dict[str, list[dict]]) -> int:
    """The product's writer (storage.upsert, SQLAlchemy Core) on exactly the raw writer's rows."""
    from storage.upsert import upsert

    n = 0
    for t in ORDER:
        if rows[t]:
            with engine.begin() as conn:
                n += upsert(conn, MODELS[t], rows[t])
    return n


def _sample(rows: dict[str, list[dict]], share: float) -> dict[str, list[dict]]:
    """Every table cut to its first `share` of rows, references kept consistent (parents whole)."""
    if share >= 1:
        return rows
    cut = {t: v[: max(1, int(len(v) * share))] if v else v for t, v in rows.items()}
    for parent in ("repo", "event", "identity", "paper", "talk"):
        cut[parent] = rows[parent]  # children of the sample must find their parents
    return cut


def bench_ingest(work: Path, rows: dict, runs: int, sample: float = 1.0) -> tuple[list[Result], Path]:
    """Returns the results and the path of an ingested database for the later stages.

    The product's path (storage.ingest.store) always writes every row; the side-by-side of
    raw sqlite3 and storage.upsert can use a `sample` of each child table to save time at scale.
    """
    base = work / "ingested.db"
    total = row_count(rows)

    def full(i):
        eng = fresh_db(base)
        ingest_all(eng, rows)
        eng.dispose()
        return {"rows": total}

    r_full = repeat("ingest", "storage.ingest.store (natural keys resolved)", full, runs)
    r_full.extra["rows_per_s"] = round(total / r_full.median)

    resolved = _sample(_resolved(make_engine(f"sqlite:///{base}")), sample)
    n = row_count(resolved)
    raw_path, core_path = work / "raw.db", work / "core.db"
    core_eng: list = [None]
    r_raw = repeat("ingest", "raw sqlite3.executemany upsert (the limit)", lambda i: {"rows": raw_upsert(raw_path, resolved)},
                   runs, setup=lambda i: fresh_db(raw_path).dispose())
    r_core = repeat("ingest", "storage.upsert (SQLAlchemy Core)", lambda i: {"rows": core_upsert(core_eng[0], resolved)},
                    runs, setup=lambda i: core_eng.__setitem__(0, fresh_db(core_path)))
    r_raw.extra["rows_per_s"] = round(n / r_raw.median)
    r_core.extra["rows_per_s"] = round(n / r_core.median)
    r_core.extra["ratio_to_raw"] = round(r_raw.median / r_core.median, 3)
    if sample < 1:
        for r in (r_raw, r_core):
            r.what += f" [{sample:.0%} sample of child rows]"
    # re-running the same upsert must change nothing, and cheaply
    eng = core_eng[0]
    r_again = repeat("ingest", "storage.upsert again on the same rows (no-op)", lambda i: {"rows": core_upsert(eng, resolved)}, runs)
    r_again.extra["rows_per_s"] = round(n / r_again.median)
    return [r_full, r_raw, r_core, r_again], base



def assign_from_truth(work: Path, ingested: Path, truth: dict) -> Path:
    """People as the world's truth has them (resolution skipped), for measuring later stages alone."""
    from storage import models as m
    from storage.upsert import upsert

    target = work / "truth-people.db"
    eng = copy_db(ingested, target)
    with eng.begin() as conn:
        upsert(conn, m.Person, [{"id": p["id"] + 1, "is_bot": bool(p["bot"])} for p in truth["people"]])
        upsert(conn, m.Identity, [
            {"source": i["source"], "external_key": i["external_key"], "person_id": p["id"] + 1}
            for p in truth["people"] for i in p["identities"]
        ], update=("person_id",))
    eng.dispose()
    return target


# --- 2. resolve --------------------------------------------------------------------------------


def bench_resolve(work: Path, ingested: Path, new_rows: dict, runs: int) -> tuple[list[Result], Path]:
    from sourcing.identity import resolve

    target = work / "resolved.db"
    eng_box: list = [None]

    def setup(i):
        eng_box[0] = copy_db(ingested, target)

    with make_engine(f"sqlite:///{ingested}").connect() as c:
        n_ident = c.execute(text("SELECT count(*) FROM identity")).scalar()
    r = repeat("resolve", f"from scratch ({n_ident:,} identities)", lambda i: resolve(eng_box[0], full=True), runs, setup=setup)
    r.extra["identities"] = n_ident
    snapshot = work / "resolved-snapshot.db"
    copy_db(target, snapshot).dispose()

    def setup_inc(i):
        eng_box[0] = copy_db(snapshot, target)
        ingest_all(eng_box[0], new_rows)

    n_new = len(new_rows.get("identity", []))
    r_inc = repeat("resolve", f"incremental: {n_new:,} new identities", lambda i: resolve(eng_box[0]), runs, setup=setup_inc)
    return [r, r_inc], snapshot


# --- 3. score ----------------------------------------------------------------------------------


def scipy_pagerank(engine, alpha: float = 0.85, tol: float = 1e-10) -> dict:
    """A hand-written PageRank on the person-repo contribution edges: the arithmetic's floor."""
    import numpy as np
    import scipy.sparse as sp

    with engine.connect() as c:
        edges = np.array(c.execute(text(
            "SELECT i.person_id, a.repo_id, count(*) FROM activity a JOIN identity i ON i.id = a.identity_id "
            "WHERE i.person_id IS NOT NULL GROUP BY i.person_id, a.repo_id")).all(), dtype=np.float64)
    if len(edges) == 0:
        return {"edges": 0}
    p = edges[:, 0].astype(np.int64)
    r = edges[:, 1].astype(np.int64)
    w = edges[:, 2]
    _, p_idx = np.unique(p, return_inverse=True)
    _, r_idx = np.unique(r, return_inverse=True)
    npers, nrepo = p_idx.max() + 1, r_idx.max() + 1
    n = npers + nrepo
    rows = np.concatenate([p_idx, npers + r_idx])
    cols = np.concatenate([npers + r_idx, p_idx])
    A = sp.csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n))
    out = np.asarray(A.sum(axis=1)).ravel()
    out[out == 0] = 1
    M = sp.diags(1 / out) @ A
    x = np.full(n, 1 / n)
    MT = M.T.tocsr()
    for it in range(200):
        nx_ = alpha * (MT @ x) + (1 - alpha) / n
        err = np.abs(nx_ - x).sum()
        x = nx_
        if err < tol:
            break
    return {"edges": int(len(edges)), "iterations": it + 1}


def bench_score(work: Path, resolved: Path, runs: int) -> tuple[list[Result], Path]:
    import scoring

    target = work / "scored.db"
    eng_box: list = [None]

    def setup(i):
        eng_box[0] = copy_db(resolved, target)

    r = repeat("score", "graph, importance, every skill and role, evidence", lambda i: scoring.score(eng_box[0]) and None,
               runs, setup=setup)
    eng = make_engine(f"sqlite:///{target}")
    r_pr = repeat("score", "hand-written SciPy PageRank on the person-repo edges", lambda i: scipy_pagerank(eng), runs)
    with eng.connect() as c:
        r.extra["scores"] = c.execute(text("SELECT count(*) FROM score")).scalar()
        r.extra["evidence"] = c.execute(text("SELECT count(*) FROM evidence")).scalar()
    return [r, r_pr], target


# --- 4. leads ----------------------------------------------------------------------------------

SEARCHES = [
    {"name": "de-berlin", "role": "data-engineer", "skills": ["airflow", "kafka"], "location": "Berlin|remote"},
    {"name": "mlops", "role": "mlops-engineer"},
    {"name": "mle", "role": "ml-engineer", "min_score": 20},
    {"name": "researchers", "role": "applied-researcher", "skills": ["pytorch"]},
    {"name": "platform", "role": "ml-platform", "skills": ["kubernetes"]},
    {"name": "llm", "role": "llm-integration", "location": "London|Paris|remote"},
    {"name": "reliability", "role": "ml-reliability"},
    {"name": "edge", "role": "edge-ml"},
    {"name": "analytics", "role": "analytics-engineer", "skills": ["dbt"]},
    {"name": "recsys", "skills": ["recommender-systems"], "exclude_companies": ["Acme"]},
]


def bench_leads(work: Path, scored: Path, runs: int) -> list[Result]:
    from scoring.taxonomy import load
    from sourcing.config import Config, SavedSearch
    from sourcing.leads import build_lead_lists, find_leads

    eng = make_engine(f"sqlite:///{scored}")
    tax = load()
    cfg = Config(searches=[SavedSearch(**s) for s in SEARCHES])
    r_all = repeat("leads", "ten saved searches ranked and stored", lambda i: {"leads": build_lead_lists(eng, cfg)["leads"]}, runs)
    adhoc = {"role": "data-engineer", "skills": ["airflow", "kafka"], "location": "Berlin|remote", "size": 25}
    r_one = repeat("leads", "one ad-hoc search (in process)", lambda i: {"leads": len(find_leads(eng, adhoc, taxonomy=tax))}, runs)
    exe = str(Path(sys.executable).with_name("sourcing"))
    cmd = [exe, "--db", f"sqlite:///{scored}", "leads", "--role", "data-engineer", "--skill", "airflow", "--skill", "kafka",
           "--location", "Berlin|remote", "--top", "25", "--json"]

    def cli(i):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return {"leads": len(json.loads(out.stdout))}

    r_cli = repeat("leads", "`sourcing leads` ad hoc (whole command, Python start-up included)", cli, runs)
    return [r_all, r_one, r_cli]


# --- 5. export ---------------------------------------------------------------------------------


def bench_export(work: Path, scored: Path, runs: int, n: int = 100_000) -> list[Result]:
    from sourcing.export import COLUMNS, export_rows, write_rows

    eng = make_engine(f"sqlite:///{scored}")
    with eng.connect() as c:
        ids = [r[0] for r in c.execute(text("SELECT id FROM person WHERE suppressed = 0 ORDER BY id LIMIT :n"), {"n": n})]
    with PeakRSS():
        rows = export_rows(eng, ids)
    rows = (rows * (n // max(1, len(rows)) + 1))[:n] if rows else []
    out = work / "export.csv"
    cols = list(COLUMNS)

    def plain(i):
        with open(work / "plain.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        return {"rows": len(rows)}

    r_plain = repeat("export", f"plain csv.DictWriter, {len(rows):,} rows (the limit)", plain, runs)
    r_ours = repeat("export", f"sourcing.export.write_rows, {len(rows):,} rows (neutralised, atomic)",
                    lambda i: {"rows": write_rows(rows, out)}, runs)
    r_ours.extra["ratio_to_plain"] = round(r_plain.median / r_ours.median, 3)
    r_prep = repeat("export", f"sourcing.export.export_rows for {len(ids):,} people (DB reads)",
                    lambda i: {"rows": len(export_rows(eng, ids))}, runs)
    return [r_plain, r_ours, r_prep]


# --- fit and web (issues 13 and 12) -------------------------------------------------------------


def bench_fit(work: Path, scored: Path, runs: int) -> list[Result]:
    from scoring.taxonomy import load
    from sourcing.fit import fit, reindex

    eng = make_engine(f"sqlite:///{scored}")
    tax = load()
    r_idx = repeat("fit", "work text index refresh (first build, then incremental)", lambda i: reindex(eng), runs)
    desc = "streaming feature pipelines on Kafka and Flink, models served behind FastAPI"
    r_q = repeat("fit", "one job-description query", lambda i: {"results": len(fit(eng, desc, tax, top=25)["results"])}, runs)
    return [r_idx, r_q]


def bench_web(work: Path, scored: Path, runs: int) -> list[Result]:
    import socket
    import threading

    import httpx
    import uvicorn

    from sourcing.config import Config, SavedSearch
    from sourcing.web.app import create_app

    eng = make_engine(f"sqlite:///{scored}")
    cfg = Config(searches=[SavedSearch(**s) for s in SEARCHES])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(eng, cfg), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    while not srv.started:
        time.sleep(0.05)
    with eng.connect() as c:
        pid = c.execute(text("SELECT person_id FROM score WHERE dimension='overall' ORDER BY value DESC LIMIT 1")).scalar()
    results = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        client.get("/")
        for what, path in (("lead list page", "/lists/de-berlin"), ("lead list page, page 20 of a live filter", "/lists/mle?location=a&page=20"),
                           ("person page", f"/people/{pid}")):
            def ttfb(i, path=path):
                t0 = time.perf_counter()
                with client.stream("GET", path) as resp:
                    first = time.perf_counter()
                    resp.read()
                    assert resp.status_code == 200, (path, resp.status_code)
                return {"ttfb_s": round(first - t0, 4)}
            results.append(repeat("web", f"time to first byte: {what}", ttfb, max(runs, 5)))
    srv.should_exit = True
    th.join(10)
    return results
