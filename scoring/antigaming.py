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

# titles of changes that take no knowledge of the code
TRIVIAL_TITLE = re.compile(
    r"\b(typos?|spelling|misspell\w*|whitespaces?|trailing[ -]?spaces?|white[ -]space|grammar|"
    r"readme|broken links?|fix(?:e[sd])? (?:a |the )?links?|hacktoberfest|"
    r"add(?:ed|s)? (?:me|myself|my name)\b|contributors? list|formatting only|indentation)\b",
    re.IGNORECASE,
)
_DOC_FILE = re.compile(
    r"(^|/)(readme|changelog|changes|contributors|contributing|authors|license|notice|history)([.][a-z]+)?$"
    r"|[.](md|rst|txt|adoc)$|(^|/)docs?/",
    re.IGNORECASE,
)
FLAGS = ("trivial-prs", "self-merged", "burst")


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


def docs_only(files: list[str] | None) -> bool:
    return bool(files) and all(_DOC_FILE.search(f) for f in files)


def is_trivial(title: str | None, files: list[str] | None, size: int, max_lines: int) -> bool:
    """A small change whose title or files say it is cosmetic."""
    small = 0 <= size <= max_lines
    if not small and size >= 0:
        return False
    cosmetic = bool(title and TRIVIAL_TITLE.search(title))
    docs = docs_only(files)
    if size < 0:  # size unknown: both signals must agree
        return cosmetic and docs
    return cosmetic or docs


def classify_changes(cands: Iterable[tuple], max_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids of trivial changes, ids of other docs-only changes) from (id, title, files, size) rows.

    Titles and file lists repeat a lot ("Fix typo", ["README.md"]), so each distinct pair is
    judged once.
    """
    cache: dict[tuple, tuple[bool, bool]] = {}
    triv: list[int] = []
    docs: list[int] = []
    for aid, title, files, size in cands:
        key = (title, files if not isinstance(files, list) else tuple(files), size <= max_lines, size < 0)
        got = cache.get(key)
        if got is None:
            fl = _files(files)
            d = docs_only(fl)
            got = cache[key] = (is_trivial(title, fl, size, max_lines), d)
        if got[0]:
            triv.append(aid)
        elif got[1]:
            docs.append(aid)
    return np.array(sorted(triv), dtype=np.int64), np.array(sorted(docs), dtype=np.int64)


def _group_median(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of `values` per group (groups given as ints 0..n_groups-1)."""
    out = np.zeros(n_groups)
    if len(group) == 0:
        return out
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    lo = v[starts + (ends - starts - 1) // 2]
    hi = v[starts + (ends - starts) // 2]
    out[g[starts]] = (lo + hi) / 2.0
    return out


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
    docs = act["docs_only"] & change & ~trivial
    fac[docs] *= ag["docs_only_factor"]
    selfm = act["self_merged"] & change
    fac[selfm] *= ag["self_merge_factor"]

    # bursts: weeks far above the person's usual weekly pace of changes
    burst = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(change)
    if len(idx):
        week = np.floor(act["day"][idx] / 7.0).astype(np.int64)
        key = person[idx] * (1 << 24) + (week - week.min())
        uk, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        wk_person = uk >> 24
        usual = _group_median(wk_person, cnt.astype(np.float64), n_people)
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
