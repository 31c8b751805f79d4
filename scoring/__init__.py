"""Scoring: the contributor graph, repo and venue importance, capability scores with evidence, taxonomy.

`score(engine)` is a pass over what is stored (never the network); `scoring.read` serves the
scores back with their evidence; `scoring.graph` builds and exports the contributor graph.
"""

from __future__ import annotations

from typing import Callable, Optional


def score(
    engine,
    *,
    taxonomy=None,
    weights_path: Optional[str] = None,
    run_id: Optional[int] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> dict:
    """Score every person per skill, per role and overall (0..100, ranked, with evidence).

    Returns {"counts": {...}, "timings": {phase: seconds}, "now": day}. Idempotent: the same
    database gives the same Score and Evidence rows; stale scores are removed.
    """
    from scoring.store import score as _score

    return _score(engine, taxonomy=taxonomy, weights_path=weights_path, run_id=run_id, progress=progress)
