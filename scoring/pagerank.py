"""PageRank on a SciPy sparse matrix: power iteration with an L1 stopping rule for ranking.

nx.pagerank stops when the change is below tol * n, which on 10^5 nodes stops before the
top of the ranking has settled; here the tolerance is absolute (sum of changes over all nodes).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def pagerank(
    adj: sp.spmatrix,
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
    personalization: np.ndarray | None = None,
) -> np.ndarray:
    """Stationary distribution of the random walk on `adj` (weighted, rows = from). Sums to 1."""
    a = sp.csr_matrix(adj, dtype=np.float64)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    out = np.asarray(a.sum(axis=1)).ravel()
    dangling = out <= 0
    inv = np.divide(1.0, out, out=np.zeros(n), where=~dangling)
    pt = (sp.diags(inv) @ a).T.tocsr()
    if personalization is None:
        p = np.full(n, 1.0 / n)
    else:
        p = np.asarray(personalization, dtype=np.float64)
        p = p / p.sum()
    x = np.full(n, 1.0 / n)
    for _ in range(int(max_iter)):
        last = x
        x = alpha * (pt @ x + last[dangling].sum() * p) + (1.0 - alpha) * p
        if np.abs(x - last).sum() < tol:
            break
    return x / x.sum()
