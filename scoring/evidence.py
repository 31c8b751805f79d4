"""Evidence: the strongest few items behind a score, in plain words with a link a recruiter can open.

"34 merged PRs to apache/airflow (37k stars), the last in 2026-10", "reviewed 120 PRs in
mlflow/mlflow", "Talk at PyData Berlin 2025: “…”", "3 cs.LG papers since 2024, one with code at
github.com/…". Each line names the stored record it rests on (ref "activity:<id>",
"repo:<id>", "paper:<id>", "talk:<id>") and its weight: its share of the score.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import numpy as np
from sqlalchemy.engine import Engine

from scoring.capability import K_CONTRIB, K_PAPERS, K_TALK, Result
from scoring.load import KINDS, Data, rows

_TALK_WORD = {"keynote": "Keynote", "tutorial": "Tutorial", "workshop": "Workshop", "lightning": "Lightning talk", "poster": "Poster"}


def select(result: Result, weights: dict, wants: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(item, column, share of the score, position) of the top lines of each score in `wants`
    (a people x columns mask)."""
    k = int(weights["store"]["evidence_lines"])
    coo = result.contrib.tocoo()
    item, col, part = coo.row, coo.col, coo.data
    person = result.items.person[item]
    keep = (part > 0) & wants[person, col]
    item, col, part, person = item[keep], col[keep], part[keep], person[keep]
    if len(item) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty
    # strongest first within each (person, column); ties by item for determinism
    order = np.lexsort((item, -part, col, person))
    item, col, part, person = item[order], col[order], part[order], person[order]
    new = np.r_[True, (person[1:] != person[:-1]) | (col[1:] != col[:-1])]
    start = np.maximum.accumulate(np.where(new, np.arange(len(new)), 0))
    pos = np.arange(len(new)) - start
    top = pos < k
    item, col, part, person, pos = item[top], col[top], part[top], person[top], pos[top]
    raw = result.raw[person, col]
    share = np.divide(part, raw, out=np.zeros(len(part)), where=raw > 0)
    return item, col, np.round(np.minimum(share, 1.0), 4), pos


def _month(day: float) -> str:
    return datetime.fromtimestamp(float(day) * 86400.0, tz=timezone.utc).strftime("%Y-%m")


def _year(day: float) -> str:
    return datetime.fromtimestamp(float(day) * 86400.0, tz=timezone.utc).strftime("%Y")


def _n(n: float, one: str, many: str) -> str:
    n = int(round(n))
    return f"{n} {one if n == 1 else many}"


def _stars(stars: float) -> str:
    if not np.isfinite(stars) or stars < 100:
        return ""
    s = f"{stars / 1000:.1f}k".replace(".0k", "k") if stars >= 1000 else f"{int(stars)}"
    return f" ({s} stars)"


def _short(url: str) -> str:
    for pre in ("https://", "http://", "www."):
        if url.startswith(pre):
            url = url[len(pre) :]
    return url.rstrip("/")


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _search_url(kind: int, repo: str, login: str) -> str:
    base = f"https://github.com/{repo}"
    q = quote(login, safe="")
    if kind == KINDS.index("pr_merged"):
        return f"{base}/pulls?q=is%3Apr+is%3Amerged+author%3A{q}"
    if kind in (KINDS.index("pr_open"), KINDS.index("pr_closed")):
        return f"{base}/pulls?q=is%3Apr+author%3A{q}"
    if kind == KINDS.index("review"):
        return f"{base}/pulls?q=is%3Apr+reviewed-by%3A{q}"
    if kind == KINDS.index("issue"):
        return f"{base}/issues?q=is%3Aissue+author%3A{q}"
    return f"{base}/commits?author={q}"


def _fetch(engine: Engine, sql: str, ids: list[int]) -> dict[int, tuple]:
    """{id: rest of row} for `sql` ("... WHERE id IN ({marks})") over `ids`, in chunks."""
    out: dict[int, tuple] = {}
    if not ids:
        return out
    with engine.connect() as conn:
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for r in rows(conn, sql.format(marks=",".join("?" * len(chunk))), chunk):
                out[r[0]] = r[1:]
    return out


def lines(engine: Engine, data: Data, result: Result, item_ids: np.ndarray) -> dict[int, tuple[str, str | None, str, str]]:
    """Text, url, kind and ref for each item in `item_ids`."""
    it = result.items
    uniq = [int(i) for i in np.unique(item_ids)]
    # own URLs of single activities (and of any whose author's login is unknown)
    need = [
        int(it.ref[i])
        for i in uniq
        if it.kind[i] < len(KINDS) and (it.count[i] <= 1 or int(it.ident[i]) not in data.ident_login)
    ]
    own = {k: v[0] for k, v in _fetch(engine, "SELECT id, url FROM activity WHERE id IN ({marks})", sorted(set(need))).items() if v[0]}
    p, t = data.paper, data.talk
    papers = _fetch(engine, "SELECT id, title, url, key, source FROM paper WHERE id IN ({marks})",
                    sorted({int(p["id"][it.paper[i]]) for i in uniq if it.kind[i] == K_PAPERS}))
    talks = _fetch(engine, "SELECT id, title, url, video_url FROM talk WHERE id IN ({marks})",
                   sorted({int(t["id"][it.talk[i]]) for i in uniq if it.kind[i] == K_TALK}))
    stars = data.repo["stars"]
    out: dict[int, tuple[str, str | None, str, str]] = {}
    # per-item fields as plain Python values, months formatted in one numpy call
    u = np.array(uniq, dtype=np.int64)
    kinds, counts, repos_ = it.kind[u].tolist(), it.count[u].tolist(), it.repo[u].tolist()
    last = it.last_day[u]
    months = np.where(np.isfinite(last), np.datetime_as_string(
        np.nan_to_num(last, nan=0.0).astype("int64").astype("datetime64[D]"), unit="M"), "").tolist()
    for k, i in enumerate(uniq):
        kind = kinds[k]
        if kind < len(KINDS) or kind == K_CONTRIB:
            r = repos_[k]
            repo = data.repo_name[r]
            n = counts[k]
            where = f"{repo}{_stars(stars[r])}"
            when = f", the last in {months[k]}" if n > 1 else (f", in {months[k]}" if months[k] else "")
            name = KINDS[kind] if kind < len(KINDS) else "contrib"
            if name == "pr_merged":
                text = f"{_n(n, 'merged PR', 'merged PRs')} to {where}{when}"
            elif name == "pr_open":
                text = f"{_n(n, 'open PR', 'open PRs')} to {where}{when}"
            elif name == "pr_closed":
                text = f"{_n(n, 'closed unmerged PR', 'closed unmerged PRs')} to {where}{when}"
            elif name == "review":
                text = f"reviewed {_n(it.extra[i] or n, 'PR', 'PRs')} in {where}{when}"
            elif name == "commit":
                text = f"{_n(n, 'commit', 'commits')} to {where}{when}"
            elif name == "issue":
                text = f"{_n(n, 'issue', 'issues')} opened in {where}{when}"
            else:
                text = f"{_n(n, 'commit', 'commits')} to {where} (GitHub's contributor count)"
            if name in ("pr_merged", "pr_open", "pr_closed", "commit") and it.extra[i] >= 0.5 * n:
                text += " — mostly typo/README-sized changes, discounted"
            login = data.ident_login.get(int(it.ident[i]))
            url = None
            if kind < len(KINDS) and n <= 1:
                url = own.get(int(it.ref[i]))
            if url is None and login and data.repo["host"][r] == "github":
                url = _search_url(kind, repo, login)
            if url is None and kind < len(KINDS):
                url = own.get(int(it.ref[i]))
            if url is None:
                url = f"https://github.com/{repo}"
            ref = f"activity:{int(it.ref[i])}" if kind < len(KINDS) else f"repo:{int(data.repo_id[r])}"
            out[i] = (text, url, "review" if name == "review" else "code", ref)
        elif kind == K_PAPERS:
            j = int(it.paper[i])
            n = int(it.count[i])
            cat = it.group[i] or ""
            code = p["code_url"][j]
            ptitle, purl, pkey, psource = papers.get(int(p["id"][j]), (None, None, str(p["id"][j]), None))
            title = _clip(ptitle or pkey)
            purl = purl or (f"https://arxiv.org/abs/{pkey}" if psource == "arxiv" else None)
            if n <= 1:
                what = f"{cat} paper" if cat else "Paper"
                year = f" ({_year(p['day'][j])})" if np.isfinite(p["day"][j]) else ""
                text = f"{what}{year}: “{title}”"
                if code:
                    text += f", code at {_short(code)}"
            else:
                since = f" since {_year(it.first_day[i])}" if np.isfinite(it.first_day[i]) else ""
                text = f"{n} {cat + ' ' if cat else ''}papers{since}"
                k = int(round(it.extra[i]))
                if k == 1 and code:
                    text += f", one with code at {_short(code)}"
                elif k > 1:
                    text += f", {k} with code" + (f" (e.g. {_short(code)})" if code else "")
                text += f"; strongest: “{title}”"
            out[i] = (text, purl, "research", f"paper:{int(p['id'][j])}")
        elif kind == K_TALK:
            j = int(it.talk[i])
            word = _TALK_WORD.get((t["kind"][j] or "talk").split()[0], "Talk")
            e = int(t["event"][j])
            ttitle, turl, tvideo = talks.get(int(t["id"][j]), (None, None, None))
            title = _clip(ttitle or t["key"][j])
            url = turl or tvideo
            if e >= 0:
                text = f"{word} at {data.event['name'][e]}: “{title}”"
                url = url or data.event["url"][e]
            else:
                year = f" ({_year(t['day'][j])})" if np.isfinite(t["day"][j]) else ""
                text = f"{word}{year}: “{title}”"
            out[i] = (text, url, "talk", f"talk:{int(t['id'][j])}")
    return out
