"""Resolution quality against a known truth (the offline world's `World.truth()`): pairwise
precision and recall, overall and per source pair, and how many same-name people were blended.

Pairs are counted through cluster contingency tables (never by listing pairs), so this runs on
a million identities too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations_with_replacement
from typing import Any, Mapping

from sqlalchemy.engine import Engine

from sourcing.identity.features import _rows
from sourcing.identity.names import fold

PAIRS = (("github", "arxiv"), ("github", "talks"), ("arxiv", "talks"), ("arxiv", "arxiv"),
         ("github", "proceedings"), ("arxiv", "proceedings"))


def _pair_count(counts: Mapping[str, int], s1: str, s2: str) -> int:
    if s1 == s2:
        n = counts.get(s1, 0)
        return n * (n - 1) // 2
    return counts.get(s1, 0) * counts.get(s2, 0)


def evaluate(engine: Engine, truth: Mapping[str, Any], names: Mapping[int, str] | None = None) -> dict:
    """{overall: {precision, recall, tp, predicted, true}, by_pair: {"github-arxiv": {...}},
    same_name: {groups, people, blended}} for the identities the truth names. `names`: each true
    person's real name (else the truth's "name" field), to count same-name people blended."""
    true_of: dict[tuple[str, str], int] = {}
    names = {int(k): fold(v or "") for k, v in (names or {}).items()}
    for p in truth["people"]:
        if p["id"] not in names:
            names[p["id"]] = fold(p.get("name") or "")
        for ident in p["identities"]:
            true_of[(ident["source"], ident["external_key"])] = p["id"]
    with engine.connect() as conn:
        rows = _rows(conn, "SELECT source, external_key, person_id FROM identity")
    pred: dict[Any, Counter] = defaultdict(Counter)
    true: dict[int, Counter] = defaultdict(Counter)
    cell: dict[tuple, Counter] = defaultdict(Counter)
    pred_people: dict[Any, set[int]] = defaultdict(set)
    for src, ext, pid in rows:
        t = true_of.get((src, ext))
        if t is None:
            continue
        p = pid if pid is not None else ("unresolved", src, ext)
        pred[p][src] += 1
        true[t][src] += 1
        cell[(p, t)][src] += 1
        pred_people[p].add(t)
    sources = sorted({s for c in true.values() for s in c})
    out: dict[str, Any] = {"by_pair": {}}

    def metrics(pairs) -> dict:
        tp = sum(_pair_count(c, a, b) for c in cell.values() for a, b in pairs)
        pp = sum(_pair_count(c, a, b) for c in pred.values() for a, b in pairs)
        tt = sum(_pair_count(c, a, b) for c in true.values() for a, b in pairs)
        return {
            "precision": round(tp / pp, 4) if pp else 1.0,
            "recall": round(tp / tt, 4) if tt else 1.0,
            "tp": tp,
            "predicted": pp,
            "true": tt,
        }

    every = list(combinations_with_replacement(sources, 2))
    out["overall"] = metrics(every)
    for a, b in every:
        out["by_pair"][f"{a}-{b}"] = metrics([(a, b)])
    # people who share a written name: how many predicted people blend two of them
    by_name: dict[str, set[int]] = defaultdict(set)
    for pid, nm in names.items():
        if nm and pid in true:
            by_name[nm].add(pid)
    shared = {nm: ids for nm, ids in by_name.items() if len(ids) > 1}
    blended = 0
    for ids in pred_people.values():
        if len(ids) > 1:
            counts = Counter(names[i] for i in ids)
            blended += sum(1 for nm, c in counts.items() if c > 1 and nm in shared)
    out["same_name"] = {"groups": len(shared), "people": sum(len(v) for v in shared.values()), "blended": blended}
    out["people"] = {"true": len(true), "predicted": len(pred)}
    return out
