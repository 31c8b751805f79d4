"""The contributor graph as users see it: NetworkX, built from storage, exported for Gephi and friends.

Nodes "person:<id>", "repo:<id>", "paper:<id>", "talk:<id>", "event:<id>" with a `kind` and a
`label`; weighted edges for contributions (merged PRs, reviews, commits: weighted by kind, size
and age as in scoring), authorship (credit shared among authors), speaking, talks at events,
papers that ship code in a repo; optionally person-person co-authorship. The heavy arithmetic of
scoring never goes through NetworkX (see capability.py); this graph is for export and for the
neighbourhood a person page shows, which is read with a few targeted queries.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Optional

from sqlalchemy.engine import Engine

from scoring.load import rows
from scoring.pagerank import pagerank  # noqa: F401  (re-exported: scoring.graph.pagerank)

FORMATS = ("graphml", "gexf")


def _attrs(d: dict) -> dict:
    """GraphML/GEXF take str, int, float and bool only, never None."""
    out = {}
    for k, v in d.items():
        if v is None:
            continue
        if isinstance(v, (bool, int, float, str)):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def _labels(engine: Engine, G) -> None:
    """Fill `label` (and a few display fields) of every node from storage."""
    by_kind: dict[str, list[int]] = {}
    for n in G.nodes:
        kind, _, i = n.partition(":")
        by_kind.setdefault(kind, []).append(int(i))
    queries = {
        "person": "SELECT id, coalesce(display_name, github_login, 'person ' || id), github_login, company, location FROM person WHERE id IN ({marks})",
        "repo": "SELECT id, full_name, stars, language, NULL FROM repo WHERE id IN ({marks})",
        "paper": "SELECT id, coalesce(title, key), key, url, primary_category FROM paper WHERE id IN ({marks})",
        "talk": "SELECT id, coalesce(title, key), key, url, kind FROM talk WHERE id IN ({marks})",
        "event": "SELECT id, coalesce(name, key), key, url, platform FROM event WHERE id IN ({marks})",
    }
    fields = {
        "person": ("github_login", "company", "location"),
        "repo": ("stars", "language", None),
        "paper": ("key", "url", "category"),
        "talk": ("key", "url", "talk_kind"),
        "event": ("key", "url", "platform"),
    }
    with engine.connect() as conn:
        for kind, ids in by_kind.items():
            if kind not in queries:
                continue
            ids = sorted(set(ids))
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                for r in rows(conn, queries[kind].format(marks=",".join("?" * len(chunk))), chunk):
                    node = f"{kind}:{r[0]}"
                    extra = {f: v for f, v in zip(fields[kind], r[2:]) if f}
                    G.nodes[node].update(_attrs({"label": r[1], **extra}))
        overall = by_kind.get("person", [])
        for start in range(0, len(overall), 900):
            chunk = overall[start : start + 900]
            q = ("SELECT person_id, value, rank FROM score WHERE dimension = 'overall' AND person_id IN ({marks})")
            for pid, value, rank in rows(conn, q.format(marks=",".join("?" * len(chunk))), chunk):
                G.nodes[f"person:{pid}"].update({"score": float(value), "rank": int(rank)})


def build_graph(engine: Engine, *, taxonomy=None, weights_path: Optional[str] = None, coauthors: bool = False,
                labels: bool = True):
    """The whole contributor graph from storage (edge weights as scoring weighs the work)."""
    import networkx as nx
    import numpy as np

    from scoring import capability, load
    from scoring import weights as weights_mod

    w = weights_mod.load(weights_path)
    data = load.load(engine, w)
    aw, _ = capability.activity_weights(data, w)
    items, iw = capability.code_items(data, aw, w)
    G = nx.Graph()
    pid, rid = data.person_id, data.repo_id
    human = ~data.person_bot
    for p in np.flatnonzero(human):
        G.add_node(f"person:{int(pid[p])}", kind="person")
    # person - repo: one edge, the sum over kinds of work, with counts by kind
    key = items.person.astype(np.int64) * max(data.n_repos, 1) + items.repo
    uk, inv = np.unique(key, return_inverse=True)
    wsum = np.bincount(inv, weights=iw)
    counts = {}
    for kname in ("pr_merged", "review", "commit"):
        k = load.KINDS.index(kname)
        counts[kname] = np.bincount(inv, weights=(items.kind == k) * items.count, minlength=len(uk))
    for j, k in enumerate(uk.tolist()):
        p, r = divmod(k, max(data.n_repos, 1))
        if not human[p] or wsum[j] <= 0:
            continue
        G.add_edge(
            f"person:{int(pid[p])}", f"repo:{int(rid[r])}", kind="contributes", weight=round(float(wsum[j]), 4),
            merged_prs=int(counts["pr_merged"][j]), reviews=int(counts["review"][j]), commits=int(counts["commit"][j]),
        )
    pa = data.paper
    au = data.authorship
    credit = 1.0 / np.maximum(pa["n_authors"][au["paper"]], 1.0) ** w["research"]["credit_exponent"]
    for p, j, c in zip(au["person"].tolist(), au["paper"].tolist(), credit.tolist()):
        if human[p]:
            G.add_edge(f"person:{int(pid[p])}", f"paper:{int(pa['id'][j])}", kind="authored", weight=round(c, 4))
    for j in np.flatnonzero(pa["code_repo"] >= 0).tolist():
        G.add_edge(f"paper:{int(pa['id'][j])}", f"repo:{int(rid[pa['code_repo'][j]])}", kind="code", weight=1.0)
    for j in np.flatnonzero(pa["event"] >= 0).tolist():
        G.add_edge(f"paper:{int(pa['id'][j])}", f"event:{int(data.event['id'][pa['event'][j]])}", kind="published_at", weight=1.0)
    tk = data.talk
    sk = data.speaking
    for p, j in zip(sk["person"].tolist(), sk["talk"].tolist()):
        if human[p]:
            n = max(tk["n_speakers"][j], 1.0)
            G.add_edge(f"person:{int(pid[p])}", f"talk:{int(tk['id'][j])}", kind="spoke", weight=round(1.0 / n, 4))
    for j in np.flatnonzero(tk["event"] >= 0).tolist():
        G.add_edge(f"talk:{int(tk['id'][j])}", f"event:{int(data.event['id'][tk['event'][j]])}", kind="at", weight=1.0)
    if coauthors and len(au["person"]):
        import scipy.sparse as sp

        ap = sp.csr_matrix((np.ones(len(au["person"])), (au["person"], au["paper"])), shape=(data.n_people, len(pa["id"])))
        co = sp.triu(ap @ ap.T, k=1).tocoo()
        for a, b, v in zip(co.row.tolist(), co.col.tolist(), co.data.tolist()):
            if human[a] and human[b]:
                G.add_edge(f"person:{int(pid[a])}", f"person:{int(pid[b])}", kind="coauthor", weight=float(v))
    for n, d in G.nodes(data=True):
        d.setdefault("kind", n.split(":", 1)[0])
    if labels:
        _labels(engine, G)
    return G


# --- a person's neighbourhood: targeted queries, never the whole graph ----------------------

_KIND_W = {"pr_merged": 4.0, "pr_open": 1.2, "pr_closed": 0.3, "review": 1.5, "commit": 1.0, "issue": 0.5}


def _in(ids: Iterable[int]) -> tuple[str, list[int]]:
    ids = sorted(set(int(i) for i in ids))
    return ",".join("?" * len(ids)), ids


def _chunks(ids: list[int], n: int = 900):
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


def _person_repos(conn, people: list[int]) -> list[tuple]:
    out = []
    for chunk in _chunks(people):
        marks, ids = _in(chunk)
        out += rows(
            conn,
            f"""SELECT i.person_id, a.repo_id, a.kind, count(*), max(a.occurred_at)
                  FROM activity a JOIN identity i ON i.id = a.identity_id
                 WHERE i.person_id IN ({marks}) AND coalesce(i.kind, 'user') != 'bot'
                 GROUP BY i.person_id, a.repo_id, a.kind""",
            ids,
        )
    return out


def _repo_people(conn, repos: list[int]) -> list[tuple]:
    out = []
    for chunk in _chunks(repos):
        marks, ids = _in(chunk)
        out += rows(
            conn,
            f"""SELECT i.person_id, a.repo_id, a.kind, count(*), max(a.occurred_at)
                  FROM activity a JOIN identity i ON i.id = a.identity_id JOIN person p ON p.id = i.person_id
                 WHERE a.repo_id IN ({marks}) AND coalesce(i.kind, 'user') != 'bot' AND NOT p.is_bot
                 GROUP BY i.person_id, a.repo_id, a.kind""",
            ids,
        )
    return out


def _link_rows(conn, sql: str, ids: list[int]) -> list[tuple]:
    out = []
    for chunk in _chunks(ids):
        marks, vals = _in(chunk)
        out += rows(conn, sql.format(marks=marks), vals)
    return out


def neighbourhood(engine: Engine, person_id: int, depth: int = 1, limit: int = 25):
    """The graph around one person: what they worked on (depth 1), who else did (depth 2), ...

    At most `limit` neighbours are kept per node expanded (the strongest by weight), so a
    person in a huge project still gets a readable picture.
    """
    import networkx as nx

    G = nx.Graph()
    with engine.connect() as conn:
        found = rows(conn, "SELECT id FROM person WHERE id = ?", [int(person_id)])
        if not found:
            raise LookupError(f"no person with id {person_id}")
        G.add_node(f"person:{int(person_id)}", kind="person")
        frontier = {f"person:{int(person_id)}"}
        for _ in range(max(0, int(depth))):
            nxt: set[str] = set()
            by = {"person": [], "repo": [], "paper": [], "talk": [], "event": []}
            for n in frontier:
                k, _, i = n.partition(":")
                by[k].append(int(i))

            def add(a: str, b: str, **attrs) -> None:
                if b not in G:
                    nxt.add(b)
                G.add_edge(a, b, **_attrs(attrs))

            # people -> repos, papers, talks
            if by["person"]:
                edges: dict[tuple[int, int], dict] = {}
                for p, r, kind, n, last in _person_repos(conn, by["person"]):
                    e = edges.setdefault((p, r), {"weight": 0.0, "merged_prs": 0, "reviews": 0, "commits": 0, "last": ""})
                    e["weight"] += _KIND_W.get(kind, 0.5) * n
                    if kind in ("pr_merged", "review", "commit"):
                        e[{"pr_merged": "merged_prs", "review": "reviews", "commit": "commits"}[kind]] = n
                    e["last"] = max(e["last"], str(last)[:7])
                _keep(edges, limit, lambda p, r, e: add(f"person:{p}", f"repo:{r}", kind="contributes", **e))
                for p, paper, n in _link_rows(
                    conn,
                    """SELECT i.person_id, au.paper_id, (SELECT count(*) FROM authorship x WHERE x.paper_id = au.paper_id)
                         FROM authorship au JOIN identity i ON i.id = au.identity_id WHERE i.person_id IN ({marks})""",
                    by["person"],
                )[: limit * len(by["person"])]:
                    add(f"person:{p}", f"paper:{paper}", kind="authored", weight=round(1.0 / math.sqrt(max(n, 1)), 4))
                for p, talk in _link_rows(
                    conn,
                    """SELECT i.person_id, s.talk_id FROM speaking s JOIN identity i ON i.id = s.identity_id
                        WHERE i.person_id IN ({marks})""",
                    by["person"],
                ):
                    add(f"person:{p}", f"talk:{talk}", kind="spoke", weight=1.0)
            # repos -> people
            if by["repo"]:
                edges = {}
                for p, r, kind, n, last in _repo_people(conn, by["repo"]):
                    e = edges.setdefault((r, p), {"weight": 0.0, "merged_prs": 0, "reviews": 0, "commits": 0, "last": ""})
                    e["weight"] += _KIND_W.get(kind, 0.5) * n
                    if kind in ("pr_merged", "review", "commit"):
                        e[{"pr_merged": "merged_prs", "review": "reviews", "commit": "commits"}[kind]] = n
                    e["last"] = max(e["last"], str(last)[:7])
                _keep(edges, limit, lambda r, p, e: add(f"repo:{r}", f"person:{p}", kind="contributes", **e))
            # papers -> authors and code
            if by["paper"]:
                for paper, p in _link_rows(
                    conn,
                    """SELECT au.paper_id, i.person_id FROM authorship au JOIN identity i ON i.id = au.identity_id
                        WHERE au.paper_id IN ({marks}) AND i.person_id IS NOT NULL ORDER BY au.paper_id, au.position""",
                    by["paper"],
                ):
                    add(f"paper:{paper}", f"person:{p}", kind="authored", weight=1.0)
                for paper, r in _link_rows(
                    conn, "SELECT paper_id, repo_id FROM papercode WHERE paper_id IN ({marks}) AND repo_id IS NOT NULL", by["paper"]
                ):
                    add(f"paper:{paper}", f"repo:{r}", kind="code", weight=1.0)
            # talks -> speakers and their event
            if by["talk"]:
                for talk, p in _link_rows(
                    conn,
                    """SELECT s.talk_id, i.person_id FROM speaking s JOIN identity i ON i.id = s.identity_id
                        WHERE s.talk_id IN ({marks}) AND i.person_id IS NOT NULL""",
                    by["talk"],
                ):
                    add(f"talk:{talk}", f"person:{p}", kind="spoke", weight=1.0)
                for talk, ev in _link_rows(
                    conn, "SELECT id, event_id FROM talk WHERE id IN ({marks}) AND event_id IS NOT NULL", by["talk"]
                ):
                    add(f"talk:{talk}", f"event:{ev}", kind="at", weight=1.0)
            if by["event"]:
                for ev, talk in _link_rows(
                    conn, "SELECT event_id, id FROM talk WHERE event_id IN ({marks}) ORDER BY event_id, id", by["event"]
                )[: limit * len(by["event"])]:
                    add(f"event:{ev}", f"talk:{talk}", kind="at", weight=1.0)
            frontier = nxt
            if not frontier:
                break
    for n, d in G.nodes(data=True):
        d.setdefault("kind", n.split(":", 1)[0])
    _labels(engine, G)
    return G


def _keep(edges: dict, limit: int, add) -> None:
    """Per source node, the `limit` strongest edges (ties: smaller id), in that order."""
    by_src: dict[int, list] = {}
    for (a, b), e in edges.items():
        e["weight"] = round(e["weight"], 4)
        by_src.setdefault(a, []).append((b, e))
    for a in sorted(by_src):
        for b, e in sorted(by_src[a], key=lambda x: (-x[1]["weight"], x[0]))[:limit]:
            add(a, b, e)


def export(engine: Engine, path: str | Path, fmt: str = "graphml", around: Optional[int] = None, depth: int = 2,
           limit: int = 200) -> dict:
    """Write the graph (or the neighbourhood of person `around`) as GraphML or GEXF; returns counts."""
    import networkx as nx

    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format '{fmt}' (use {' or '.join(FORMATS)})")
    G = neighbourhood(engine, around, depth=depth, limit=limit) if around is not None else build_graph(engine)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(G, path)
    else:
        nx.write_gexf(G, path)
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "path": str(path), "format": fmt}
