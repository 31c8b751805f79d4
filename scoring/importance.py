"""Repo and event importance, in the manner of OpenSSF's criticality_score, blended with centrality.

Each signal s with threshold T and weight w contributes w * log(1 + min(s, T)) / log(1 + T);
the score is the weighted mean over signals (negative weights count "less is better" signals as
1 - that term), so it lies in 0..1. Unknown signals fall back to what the stored data shows
(contributors and organisations seen in activity) or to 0.
"""

from __future__ import annotations

import numpy as np


def signal(values: np.ndarray, threshold: float) -> np.ndarray:
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0), 0.0, threshold)
    return np.log1p(v) / np.log1p(threshold)


def criticality(signals: dict[str, np.ndarray], spec: dict[str, dict], n: int) -> np.ndarray:
    """Weighted mean of the normalised signals named in `spec` ({name: {threshold, weight}})."""
    total = np.zeros(n)
    wsum = 0.0
    for name, s in spec.items():
        w = float(s["weight"])
        if w == 0 or name not in signals:
            continue
        term = signal(signals[name], float(s["threshold"]))
        total += w * term if w > 0 else (-w) * (1.0 - term)
        wsum += abs(w)
    return total / wsum if wsum else total


def percentile(values: np.ndarray) -> np.ndarray:
    """Rank of each value as a fraction 0..1 (ties share the lower rank); deterministic."""
    n = len(values)
    if n <= 1:
        return np.ones(n)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(n)
    # ties get the same (lowest) rank, so equal values never differ by position
    sv = values[order]
    first = np.r_[0, np.flatnonzero(sv[1:] != sv[:-1]) + 1]
    run = np.repeat(first, np.diff(np.r_[first, n]))
    ranks[order] = run
    return ranks / (n - 1)


def repo_importance(data, weights: dict, pagerank: np.ndarray | None = None,
                    contributors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(importance 0..1, criticality 0..1) per repo index. `contributors`: people seen working
    on each repo (used where GitHub's own count is missing)."""
    r = data.repo
    n = data.n_repos
    a = data.act
    # what the stored activity shows, where GitHub's own figures are missing
    if contributors is None:
        contributors = np.zeros(n)
        if len(a["repo"]):
            pairs = np.unique(a["repo"] * (data.n_people + 1) + a["person"])
            contributors = np.bincount(pairs // (data.n_people + 1), minlength=n)
    contributors = np.where(np.isnan(r["contributors"]), np.asarray(contributors, dtype=np.float64), r["contributors"])
    now = data.now_day
    age_months = np.where(np.isnan(r["created_day"]), 0.0, (now - r["created_day"]) / 30.44)
    pushed = r["pushed_day"]
    if len(a["repo"]):
        last = np.full(n, -np.inf)
        np.maximum.at(last, a["repo"], a["day"])
        pushed = np.where(np.isnan(pushed), last, pushed)
    since_push = np.where(np.isfinite(pushed), np.maximum(0.0, (now - pushed) / 30.44), 1e9)
    # commit frequency unknown: commits per week over the last year seen in activity
    freq = r["commit_frequency"].copy()
    if np.isnan(freq).any() and len(a["repo"]):
        recent = a["day"] >= now - 365
        seen = np.bincount(a["repo"][recent], minlength=n) / 52.0
        freq = np.where(np.isnan(freq), seen, freq)
    signals = {
        "stars": r["stars"],
        "forks": r["forks"],
        "contributors": contributors,
        "orgs": r["orgs"],
        "commit_frequency": freq,
        "age_months": age_months,
        "months_since_push": since_push,
        "releases": r["releases"],
    }
    crit = criticality(signals, weights["repo"]["signals"], n)
    rw = weights["repo"]
    imp = crit
    if pagerank is not None and len(pagerank) == n and rw["centrality"] > 0:
        imp = (1 - rw["centrality"]) * crit + rw["centrality"] * percentile(pagerank)
    imp = rw["floor"] + (1 - rw["floor"]) * imp
    imp = imp * np.where(r["is_fork"], rw["fork_factor"], 1.0) * np.where(r["archived"], rw["archived_factor"], 1.0)
    return imp, crit


def event_importance(data, weights: dict) -> np.ndarray:
    """0..1 per event index: how many talks and speakers it has, how many days it runs."""
    e = data.event
    n = len(e["id"])
    if n == 0:
        return np.zeros(0)
    t = data.talk
    talks = np.bincount(t["event"][t["event"] >= 0], minlength=n).astype(np.float64)
    s = data.speaking
    ev_of = t["event"][s["talk"]] if len(s["talk"]) else np.zeros(0, dtype=np.int64)
    ok = ev_of >= 0
    pairs = np.unique(ev_of[ok] * (data.n_people + 1) + s["person"][ok])
    speakers = np.bincount(pairs // (data.n_people + 1), minlength=n).astype(np.float64)
    days = np.nan_to_num(e["end_day"] - e["start_day"], nan=0.0) + 1.0
    signals = {"talks": talks, "speakers": speakers, "days": days}
    return criticality(signals, weights["event"]["signals"], n)
