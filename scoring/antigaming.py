"""Anti-gaming: work that is cheap to fake is discounted and flagged, never rewarded.

Mass trivial pull requests (typo, whitespace, README-only), work merged by its own author in
their own repo, and sudden bursts (a week far above the person's own usual pace) each get a
factor below 1 per activity; a person whose work is largely of one such kind gets a flag on
their scores ("trivial-prs", "self-merged", "burst"). Bots get no score at all (capability).
"""

from __future__ import annotations

import json
import re
from typing import Iterable

import numpy as np

# One set of rules, written as SQL LIKE patterns (case-insensitive), used by the database
# (SQLite evaluates them while the activity is read) and by Python (other databases, tests).
# Titles of changes that take no knowledge of the code:
TRIVIAL_TITLES = (
    "%typo%", "%spelling%", "%misspel%", "%whitespace%", "%white space%", "%trailing space%",
    "%grammar%", "%readme%", "%broken link%", "%fix link%", "%fix the link%", "%hacktoberfest%",
    "%add me to%", "%add myself%", "%contributors list%", "%formatting only%", "%indentation%",
)
# Files that are documentation, not code:
DOC_FILES = (
    "%.md", "%.rst", "%.txt", "%.adoc", "docs/%", "doc/%", "%/docs/%", "%/doc/%", "readme%",
    "%/readme%", "changelog%", "%/changelog%", "contributors%", "contributing%", "authors%",
    "license%", "notice%",
)
FLAGS = ("trivial-prs", "self-merged", "burst")


def _like_regex(patterns: tuple[str, ...]) -> re.Pattern:
    parts = ["".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in p) for p in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")$", re.IGNORECASE | re.DOTALL)


_TITLE_RE = _like_regex(TRIVIAL_TITLES)
_DOC_RE = _like_regex(DOC_FILES)


def _files(v) -> list[str] | None:
    if v is None:
        return None
    if isinstance(v, list):
        return [str(x) for x in v]
    try:
        got = json.loads(v)
    except (TypeError, ValueError):
        return None
    return [str(x) for x in got] if isinstance(got, list) else None


def cosmetic_title(title: str | None) -> bool:
    return bool(title) and bool(_TITLE_RE.match(title))


def docs_only(files: list[str] | None) -> bool:
    return bool(files) and all(_DOC_RE.match(f) for f in files)


def is_trivial(title: str | None, files: list[str] | None, size: int, max_lines: int) -> bool:
    """A small change whose title or files say it is cosmetic (size < 0: unknown)."""
    return trivial_from(cosmetic_title(title), docs_only(files), size, max_lines)


def trivial_from(cosmetic, docs, size, max_lines):
    """Works on scalars and numpy arrays alike: small and cosmetic; unknown size needs both."""
    small = (size >= 0) & (size <= max_lines)
    return (small & (cosmetic | docs)) | ((size < 0) & cosmetic & docs)


def sql_flags(dialect: str, max_lines: int, kind: str = "a.kind", title: str = "a.title", files: str = "a.files",
              add: str = "a.additions", dele: str = "a.deletions") -> str | None:
    """SQL for 1 * cosmetic title + 2 * docs-only files of a small change (0 for anything else),
    or None where Python must do it. Only small changes (or of unknown size) can be trivial, so
    only they pay for the pattern tests."""
    if dialect != "sqlite":
        return None
    t = " OR ".join(f"{title} LIKE '{p}'" for p in TRIVIAL_TITLES)
    f = " OR ".join(f"j.value LIKE '{p}'" for p in DOC_FILES)
    # a cheap text test first, so json_each only runs on lists that mention documentation at all
    pre = " OR ".join(f"{files} LIKE '%{x}%'" for x in (".md", ".rst", ".txt", ".adoc", "doc", "readme", "changelog", "contribut", "authors", "license", "notice"))
    return (
        f"CASE WHEN {kind} IN ('pr_merged', 'pr_open', 'pr_closed', 'commit') "
        f"AND coalesce({add}, 0) + coalesce({dele}, 0) <= {int(max_lines)} THEN "
        f"(CASE WHEN {t} THEN 1 ELSE 0 END) + "
        f"(CASE WHEN {files} IS NOT NULL AND ({pre}) AND json_array_length({files}) > 0 "
        f"AND NOT EXISTS (SELECT 1 FROM json_each({files}) j WHERE NOT ({f})) THEN 2 ELSE 0 END) "
        "ELSE 0 END"
    )


def classify_rows(cands: Iterable[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, cosmetic, docs-only) from (id, title, files) rows, judged in Python.

    Titles and file lists repeat a lot ("Fix typo", ["README.md"]), so each is judged once.
    """
    tcache: dict = {}
    fcache: dict = {}
    ids, cos, doc = [], [], []
    for aid, title, files in cands:
        c = tcache.get(title)
        if c is None:
            c = tcache[title] = cosmetic_title(title)
        key = files if not isinstance(files, list) else tuple(files)
        d = fcache.get(key)
        if d is None:
            d = fcache[key] = docs_only(_files(files))
        if c or d:
            ids.append(aid)
            cos.append(c)
            doc.append(d)
    return np.array(ids, dtype=np.int64), np.array(cos, dtype=bool), np.array(doc, dtype=bool)


def factors(act: dict, kinds_change: tuple[int, ...], n_people: int, weights: dict) -> tuple[np.ndarray, dict]:
    """Per-activity discount factors and per-person flags.

    Returns (factor array aligned with `act`, {"flags": {person index: [flag, ...]},
    "trivial": n, "self_merged": n, "burst": n}).
    """
    ag = weights["antigaming"]
    n = len(act["id"])
    fac = np.ones(n)
    change = np.isin(act["kind"], kinds_change)
    person = act["person"]

    trivial = act["trivial"] & change
    fac[trivial] *= ag["trivial_factor"]
    selfm = act["self_merged"] & change
    fac[selfm] *= ag["self_merge_factor"]

    # bursts: weeks far above the person's usual pace, their changes per week over their active
    # span (at least half a year: 40 changes in the only week someone was ever seen is a burst)
    burst = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(change)
    if len(idx):
        day = act["day"][idx]
        week = np.floor(day / 7.0).astype(np.int64)
        key = person[idx] * (1 << 24) + (week - week.min())
        uk, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        wk_person = uk >> 24
        first = np.full(n_people, np.inf)
        last = np.full(n_people, -np.inf)
        np.minimum.at(first, person[idx], day)
        np.maximum.at(last, person[idx], day)
        total = np.bincount(person[idx], minlength=n_people).astype(np.float64)
        span = np.maximum((last - first) / 7.0 + 1.0, ag["burst_span_weeks"])
        usual = np.divide(total, span, out=np.zeros(n_people), where=np.isfinite(span))
        limit = np.maximum(ag["burst_per_week"], 3.0 * usual[wk_person])
        wk_fac = np.minimum(1.0, limit / cnt)
        f = wk_fac[inv]
        fac[idx] *= f
        burst[idx] = f < 1.0

    flags: dict[int, list[str]] = {}
    n_change = np.bincount(person[change], minlength=n_people).astype(np.float64)
    n_merged = np.bincount(person[change & (act["kind"] == 0)], minlength=n_people).astype(np.float64)
    for name, mask, base in (
        ("trivial-prs", trivial, n_change),
        ("self-merged", selfm, n_merged),
        ("burst", burst, n_change),
    ):
        cnt = np.bincount(person[mask], minlength=n_people).astype(np.float64)
        hit = (cnt >= ag["flag_min"]) & (cnt >= ag["flag_share"] * np.maximum(base, 1))
        for p in np.flatnonzero(hit):
            flags.setdefault(int(p), []).append(name)
    stats = {"trivial": int(trivial.sum()), "self_merged": int(selfm.sum()), "burst": int(burst.sum())}
    return fac, {"flags": flags, **stats}
