"""The one place scoring reads storage: a few bulk SQL queries into numpy arrays.

Everything the scorer needs is read here, once, into columns indexed by dense positions
(person index, repo index ...), so the arithmetic after it is numpy/scipy and never a Python
loop over activities. Only resolved identities (person_id set) of people not suppressed count.
Times become float days since 1970-01-01 UTC.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np
from sqlalchemy.engine import Connection, Engine

from scoring import antigaming

KINDS = ("pr_merged", "pr_open", "pr_closed", "review", "commit", "issue")
K_PR_MERGED, K_PR_OPEN, K_PR_CLOSED, K_REVIEW, K_COMMIT, K_ISSUE = range(len(KINDS))
# kinds that are someone's own change (bursts, trivial and self-merge rules apply to them)
CHANGE_KINDS = (K_PR_MERGED, K_PR_OPEN, K_PR_CLOSED, K_COMMIT)


@dataclass
class Data:
    now_day: float
    # people (scored units): ids sorted; position = person index
    person_id: np.ndarray
    person_bot: np.ndarray
    # identity id -> person index (-1: unresolved, suppressed or unknown); login by identity id
    ident_person: np.ndarray
    ident_login: dict[int, str]
    # repos
    repo_id: np.ndarray
    repo_name: list[str]
    repo: dict[str, Any]  # signal columns (float arrays, nan = unknown) and text fields
    # activities
    act: dict[str, np.ndarray]
    # GitHub contributor counts: person index, repo index, identity id, contributions
    contrib: dict[str, np.ndarray]
    # papers and authorships
    paper: dict[str, Any]
    authorship: dict[str, np.ndarray]
    # talks, speaking, events
    talk: dict[str, Any]
    speaking: dict[str, np.ndarray]
    event: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_people(self) -> int:
        return len(self.person_id)

    @property
    def n_repos(self) -> int:
        return len(self.repo_id)


def _day(conn: Connection, col: str) -> str:
    """SQL for a timestamp column as float days since the epoch."""
    if conn.dialect.name == "sqlite":
        return f"(julianday({col}) - 2440587.5)"
    return f"(EXTRACT(EPOCH FROM {col}) / 86400.0)"


def rows(conn: Connection, sql: str, params: tuple | list = ()) -> list[tuple]:
    """Plain tuples straight from the DBAPI cursor: the fastest path for millions of rows."""
    if params and conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    cur = conn.connection.dbapi_connection.cursor()
    try:
        cur.execute(sql, tuple(params)) if params else cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def _cols(rs: list[tuple], n: int, dtypes: tuple) -> list[np.ndarray]:
    """Columns of `rs` as numpy arrays; None becomes nan (floats) or -1 (ints)."""
    if not rs:
        return [np.zeros(0, dtype=d) for d in dtypes]
    if object not in dtypes:
        try:  # the common case, no NULLs: one C-level conversion
            arr = np.array(rs, dtype=np.float64 if any(np.issubdtype(np.dtype(d), np.floating) for d in dtypes) else np.int64)
            ints = [i for i, d in enumerate(dtypes) if not np.issubdtype(np.dtype(d), np.floating)]
            if arr.ndim == 2 and arr.shape[1] == n and not (arr.dtype == np.float64 and np.isnan(arr[:, ints]).any()):
                return [arr[:, i].astype(d) for i, d in enumerate(dtypes)]
        except (TypeError, ValueError):
            pass
    out = []
    for i, d in enumerate(dtypes):
        col = [r[i] for r in rs]
        if d is object:
            out.append(np.array(col, dtype=object))
        elif np.issubdtype(np.dtype(d), np.floating):
            out.append(np.array([np.nan if v is None else v for v in col], dtype=d))
        else:
            out.append(np.array([-1 if v is None else v for v in col], dtype=d))
    return out


def _index(ids: np.ndarray) -> np.ndarray:
    """Dense lookup: id -> position (-1 for ids not present)."""
    size = int(ids.max()) + 1 if len(ids) else 1
    pos = np.full(size, -1, dtype=np.int64)
    pos[ids] = np.arange(len(ids))
    return pos


def _lookup(pos: np.ndarray, ids: np.ndarray) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    ok = (ids >= 0) & (ids < len(pos))
    out = np.full(len(ids), -1, dtype=np.int64)
    out[ok] = pos[ids[ok]]
    return out


def _json(v: Any) -> Any:
    if v is None or isinstance(v, (list, dict)):
        return v
    try:
        return json.loads(v)
    except (TypeError, ValueError):
        return None


def read_activity(engine: Engine) -> dict[str, np.ndarray]:
    """Every activity as raw columns (ids, not positions): one plain scan, no joins.

    The heaviest read of scoring (millions of rows), so it asks for as few columns as it can;
    a review's PR number travels in the size column (a review has no size). Whose work it is
    (resolved, not a bot) is decided afterwards from the identities; the few activities that are
    cosmetic or self-merged come from `read_marks`.
    """
    with engine.connect() as conn:
        case = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
        sql = f"""SELECT id, repo_id, identity_id, {_day(conn, 'occurred_at')},
                   CASE WHEN kind = 'review' THEN coalesce(number, -1)
                        WHEN additions IS NULL AND deletions IS NULL THEN -1
                        ELSE coalesce(additions, 0) + coalesce(deletions, 0) END,
                   CASE kind {case} ELSE 15 END
              FROM activity"""
        acts = rows(conn, sql)
    arr = np.array(acts, dtype=np.float64).reshape(-1, 6) if acts else np.zeros((0, 6))
    del acts
    return {
        "id": arr[:, 0].astype(np.int64),
        "repo_id": arr[:, 1].astype(np.int64),
        "ident": arr[:, 2].astype(np.int64),
        "day": arr[:, 3].copy(),
        "size_or_number": arr[:, 4].astype(np.int64),
        "kind": arr[:, 5].astype(np.int64),
    }


def read_marks(engine: Engine, max_lines: int) -> dict[str, np.ndarray]:
    """Ids of the activities anti-gaming looks at: cosmetic titles, docs-only changes, and work
    merged by its own author in a repo they own. Few rows come back; the database does the work."""
    out: dict[str, np.ndarray] = {}
    with engine.connect() as conn:
        sm = rows(
            conn,
            # personal repos first: the join to identities then runs only where it can match
            """SELECT a.id FROM activity a JOIN repo r ON r.id = a.repo_id AND NOT coalesce(r.owner_is_org, 0)
                 JOIN identity i ON i.id = a.identity_id
                WHERE a.kind = 'pr_merged' AND a.merged_by IS NOT NULL
                  AND lower(a.merged_by) = lower(i.login) AND lower(r.owner) = lower(i.login)""",
        )
        out["self_merged"] = np.array(sorted(r[0] for r in sm), dtype=np.int64)
        flags = antigaming.sql_flags(conn.dialect.name, max_lines)
        if flags is not None:
            got = rows(conn, f"SELECT id, f FROM (SELECT a.id AS id, {flags} AS f FROM activity a) WHERE f > 0")
            ids_ = np.array([r[0] for r in got], dtype=np.int64)
            f = np.array([r[1] for r in got], dtype=np.int64)
            cos, doc = (f & 1) > 0, (f & 2) > 0
        else:
            # no SQL for the rules here: judge titles and file lists in Python
            cand = rows(
                conn,
                "SELECT id, title, files FROM activity WHERE kind IN ('pr_merged', 'pr_open', 'pr_closed', 'commit')",
            )
            ids_, cos, doc = antigaming.classify_rows(cand)
            del cand
        out["cosmetic"] = np.sort(ids_[cos])
        out["docs"] = np.sort(ids_[doc])
    return out


def read_heavy(engine: Engine, max_lines: int) -> dict[str, dict[str, np.ndarray]]:
    """The big reads, meant for a second process: activity, authorships, contributor counts."""
    with engine.connect() as conn:
        au = rows(conn, "SELECT paper_id, identity_id FROM authorship")
        arr = np.array(au, dtype=np.int64).reshape(-1, 2) if au else np.zeros((0, 2), dtype=np.int64)
        del au
        rc = rows(conn, "SELECT repo_id, identity_id, coalesce(contributions, 0), is_owner FROM repocontributor")
        crepo, cident, ccount, cowner = _cols(rc, 4, (np.int64, np.int64, np.float64, np.int64))
        del rc
    return {
        "activity": read_activity(engine),
        "authorship": {"paper_id": arr[:, 0].copy(), "ident": arr[:, 1].copy()},
        "contrib": {"repo_id": crepo, "ident": cident, "count": ccount, "owner": cowner > 0},
    }


def _marked(sorted_ids: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """Mask of `sorted_ids` found in `marked` (few): a binary search per mark, not a set op on millions."""
    out = np.zeros(len(sorted_ids), dtype=bool)
    if len(marked) and len(sorted_ids):
        pos = np.searchsorted(sorted_ids, marked)
        ok = pos < len(sorted_ids)
        ok[ok] = sorted_ids[pos[ok]] == marked[ok]
        out[pos[ok]] = True
    return out


def _activity(raw: dict, marks: dict, rpos: np.ndarray, ident_person: np.ndarray, weights: dict) -> dict[str, np.ndarray]:
    """Raw activity columns to scoring's: positions, only resolved non-bot work, anti-gaming marks."""
    kind = raw["kind"]
    act = {
        "id": raw["id"],
        "kind": kind,
        "repo": _lookup(rpos, raw["repo_id"]),
        "ident": raw["ident"],
        "day": raw["day"],
        "size": np.where(kind == K_REVIEW, -1, raw["size_or_number"]),
        "number": np.where(kind == K_REVIEW, raw["size_or_number"], -1),
    }
    act["person"] = _lookup(ident_person, act["ident"])
    keep = (act["person"] >= 0) & (act["kind"] < len(KINDS)) & (act["repo"] >= 0) & np.isfinite(act["day"])
    order = np.argsort(act["id"][keep], kind="stable")
    act = {k: v[keep][order] for k, v in act.items()}
    change = np.isin(act["kind"], CHANGE_KINDS)
    act["self_merged"] = _marked(act["id"], marks["self_merged"]) & (act["kind"] == K_PR_MERGED)
    cosmetic = _marked(act["id"], marks["cosmetic"]) & change
    docs = _marked(act["id"], marks["docs"]) & change
    max_lines = int(weights["antigaming"]["trivial_max_lines"])
    act["trivial"] = antigaming.trivial_from(cosmetic, docs, act["size"], max_lines)
    return act


def load(
    engine: Engine,
    weights: dict,
    progress: Optional[Callable[[str], None]] = None,
    heavy: Optional[Callable[[], dict]] = None,
) -> Data:
    """Read everything scoring needs. `weights` supplies the trivial-change rules; `heavy`
    waits for `read_heavy` started elsewhere (see scoring.parallel), else it is read here."""
    t: dict[str, float] = {}
    with engine.connect() as conn:
        t0 = time.perf_counter()
        # people: bots are kept (so their identities map somewhere) but never scored
        ps = rows(conn, "SELECT id, is_bot FROM person WHERE suppressed = ? OR suppressed IS NULL ORDER BY id", (False,))
        person_id, person_bot = _cols(ps, 2, (np.int64, np.int64))
        person_bot = person_bot.astype(bool)
        ppos = _index(person_id)
        ids = rows(conn, "SELECT id, person_id FROM identity WHERE person_id IS NOT NULL")
        iid, ipid = _cols(ids, 2, (np.int64, np.int64))
        del ids
        ident_person = np.full(int(iid.max()) + 1 if len(iid) else 1, -1, dtype=np.int64)
        ident_person[iid] = _lookup(ppos, ipid)
        # a bot identity does not carry its person's work (a bot merged into a human by mistake)
        bots = [r[0] for r in rows(conn, "SELECT id FROM identity WHERE kind = 'bot' AND person_id IS NOT NULL")]
        ident_person[np.array(bots, dtype=np.int64)] = -1
        ident_login = dict(rows(conn, "SELECT id, login FROM identity WHERE source = 'github' AND login IS NOT NULL AND person_id IS NOT NULL"))
        t["people"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        rs = rows(
            conn,
            f"""SELECT id, full_name, stars, forks, contributors_count, org_count, commit_frequency,
                   releases_count, {_day(conn, 'created_at')}, {_day(conn, 'pushed_at')},
                   is_fork, archived, owner, host
              FROM repo ORDER BY id""",
        )
        repo_id = np.array([r[0] for r in rs], dtype=np.int64)
        repo_name = [r[1] for r in rs]
        f = lambda i: np.array([np.nan if r[i] is None else float(r[i]) for r in rs], dtype=np.float64)  # noqa: E731
        repo = {
            "stars": f(2),
            "forks": f(3),
            "contributors": f(4),
            "orgs": f(5),
            "commit_frequency": f(6),
            "releases": f(7),
            "created_day": f(8),
            "pushed_day": f(9),
            "is_fork": np.array([bool(r[10]) for r in rs], dtype=bool),
            "archived": np.array([bool(r[11]) for r in rs], dtype=bool),
            "owner": [(r[12] or r[1].split("/")[0]) for r in rs],
            "host": [r[13] or "github" for r in rs],
        }
        rpos = _index(repo_id)
        t["repos"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        ev = rows(
            conn,
            f"SELECT id, key, name, platform, url, {_day(conn, 'starts_on')}, {_day(conn, 'ends_on')} FROM event ORDER BY id",
        )
        event = {
            "id": np.array([r[0] for r in ev], dtype=np.int64),
            "key": [r[1] for r in ev],
            "name": [r[2] or r[1] for r in ev],
            "platform": [r[3] for r in ev],
            "url": [r[4] for r in ev],
            "start_day": np.array([np.nan if r[5] is None else r[5] for r in ev], dtype=np.float64),
            "end_day": np.array([np.nan if r[6] is None else r[6] for r in ev], dtype=np.float64),
        }
        epos = _index(event["id"])

        pp = rows(
            conn,
            f"""SELECT id, primary_category, {_day(conn, 'published')}, coalesce(event_id, -1), withdrawn
              FROM paper ORDER BY id""",
        )
        pid_, pday, pev, pwd = _cols([(r[0], r[2], r[3], r[4]) for r in pp], 4, (np.int64, np.float64, np.int64, np.int64))
        paper = {
            "id": pid_,
            "primary": [r[1] for r in pp],
            "day": pday,
            "event": _lookup(epos, pev),
            "withdrawn": pwd > 0,
        }
        papos = _index(paper["id"])
        code = rows(conn, "SELECT paper_id, url, repo_id FROM papercode ORDER BY paper_id, url")
        paper["code_url"] = [None] * len(pp)
        paper["code_repo"] = np.full(len(pp), -1, dtype=np.int64)
        for pid, url, rid in code:
            i = int(papos[pid]) if pid < len(papos) else -1
            if i >= 0 and paper["code_url"][i] is None:
                paper["code_url"][i] = url
                if rid is not None and rid < len(rpos):
                    paper["code_repo"][i] = rpos[rid]

        tk = rows(conn, f"SELECT id, key, event_id, kind, {_day(conn, 'starts_at')} FROM talk ORDER BY id")
        talk = {
            "id": np.array([r[0] for r in tk], dtype=np.int64),
            "key": [r[1] for r in tk],
            "event": _lookup(epos, np.array([-1 if r[2] is None else r[2] for r in tk], dtype=np.int64)),
            "kind": [(r[3] or "talk").lower() for r in tk],
            "day": np.array([np.nan if r[4] is None else r[4] for r in tk], dtype=np.float64),
        }
        tpos = _index(talk["id"])
        # a talk without its own time happened when its event did
        ev_start = event["start_day"]
        miss = ~np.isfinite(talk["day"]) & (talk["event"] >= 0)
        talk["day"][miss] = ev_start[talk["event"][miss]]
        sp = rows(conn, "SELECT talk_id, identity_id, position FROM speaking")
        stalk, sident, spos = _cols(sp, 3, (np.int64, np.int64, np.int64))
        stalk = _lookup(tpos, stalk)
        talk["n_speakers"] = np.bincount(stalk[stalk >= 0], minlength=len(tk)).astype(np.float64)
        speaking = {"talk": stalk, "person": _lookup(ident_person, sident), "ident": sident}
        ok = (speaking["talk"] >= 0) & (speaking["person"] >= 0)
        speaking = {k: v[ok] for k, v in speaking.items()}
        t["papers_talks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if progress:
        progress("reading activity")
    # the anti-gaming marks are read here (the database does the work, few rows come back)
    # while the other process reads the activity itself
    max_lines = int(weights["antigaming"]["trivial_max_lines"])
    marks = read_marks(engine, max_lines)
    t["marks"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    h = heavy() if heavy is not None else read_heavy(engine, max_lines)
    t["heavy_wait"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    act = _activity(h["activity"], marks, rpos, ident_person, weights)
    apaper, aident = _lookup(papos, h["authorship"]["paper_id"]), h["authorship"]["ident"]
    c = h["contrib"]
    del h
    contrib = {
        "repo": _lookup(rpos, c["repo_id"]),
        "ident": c["ident"],
        "person": _lookup(ident_person, c["ident"]),
        "count": np.nan_to_num(c["count"]),
        "owner": c["owner"],
    }
    ok = (contrib["repo"] >= 0) & (contrib["person"] >= 0) & (contrib["count"] > 0)
    contrib = {k: v[ok] for k, v in contrib.items()}
    authorship = {"paper": apaper, "person": _lookup(ident_person, aident), "ident": aident}
    # authors per paper counts every author, resolved or not: credit is shared among all
    paper["n_authors"] = np.bincount(apaper[apaper >= 0], minlength=len(paper["id"])).astype(np.float64)
    ok = (authorship["paper"] >= 0) & (authorship["person"] >= 0)
    authorship = {k: v[ok] for k, v in authorship.items()}
    t["activity"] = time.perf_counter() - t0

    # "now": the latest stored time, so that the same database always gives the same scores
    if weights["time"]["now"] == "clock":
        now_day = time.time() / 86400.0
    else:
        cands = [a[np.isfinite(a)].max() for a in (act["day"], paper["day"], talk["day"]) if np.isfinite(a).any()]
        now_day = float(max(cands)) if cands else time.time() / 86400.0
    return Data(
        now_day=now_day,
        person_id=person_id,
        person_bot=person_bot,
        ident_person=ident_person,
        ident_login=ident_login,
        repo_id=repo_id,
        repo_name=repo_name,
        repo=repo,
        act=act,
        contrib=contrib,
        paper=paper,
        authorship=authorship,
        talk=talk,
        speaking=speaking,
        event=event,
        timings=t,
    )
