"""The contributor graph: export that Gephi/NetworkX can open, a person's neighbourhood, sparse PageRank."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).parent))
from builders import World  # noqa: E402

import scoring  # noqa: E402
from scoring.graph import build_graph, export, neighbourhood  # noqa: E402
from scoring.importance import criticality, signal  # noqa: E402
from scoring.pagerank import pagerank  # noqa: E402


def _world(engine) -> None:
    w = World()
    w.repo("apache/airflow", stars=37000, forks=14000, contributors_count=3000)
    w.repo("acme/flowkit", stars=900, topics=["airflow"])
    for pid, login in ((1, "ada"), (2, "bob"), (3, "cy")):
        w.person(pid, login)
        w.github(pid, login)
    w.person(4, "dependabot", bot=True)
    w.github(4, "dependabot[bot]", kind="bot")
    for i in range(5):
        w.pr("ada", "acme/flowkit", 10 + i)
        w.pr("bob", "acme/flowkit", 20 + i)
        w.pr("dependabot[bot]", "acme/flowkit", 3 + i)
    w.review("ada", "apache/airflow", 4)
    w.commit("cy", "apache/airflow", 8)
    w.paper("2501.00001", "Scheduling DAGs", [(1, "A. Da"), (3, "C. Y")], code="https://github.com/acme/flowkit")
    w.event("pydata-berlin-2025", "PyData Berlin 2025")
    w.talk("pydata-berlin-2025", "ABC", "Airflow at scale", [(1, "Ada")])
    w.save(engine)
    scoring.score(engine)


def test_graphml_export_opens_with_networkx(engine, tmp_path):
    _world(engine)
    info = export(engine, tmp_path / "g.graphml")
    G = nx.read_graphml(tmp_path / "g.graphml")
    assert (G.number_of_nodes(), G.number_of_edges()) == (info["nodes"], info["edges"])
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"person", "repo", "paper", "talk", "event"}
    assert "person:4" not in G  # bots are not part of the community graph
    ada = G.nodes["person:1"]
    assert ada["label"] == "ada" and ada["score"] > 0
    e = G.edges["person:1", "repo:2"]
    assert e["kind"] == "contributes" and e["merged_prs"] == 5 and e["weight"] > 0
    assert G.edges["paper:1", "repo:2"]["kind"] == "code"
    assert G.has_edge("talk:1", "event:1")


def test_gexf_export_around_a_person(engine, tmp_path):
    _world(engine)
    info = export(engine, tmp_path / "g.gexf", fmt="gexf", around=2, depth=2)
    G = nx.read_gexf(tmp_path / "g.gexf")
    assert info["nodes"] == G.number_of_nodes()
    # bob -> flowkit -> ada (who also merged there); not cy, who only committed to airflow
    assert {"person:2", "repo:2", "person:1"} <= set(G.nodes)
    assert "person:3" not in G and "person:4" not in G
    with pytest.raises(ValueError, match="unknown graph format"):
        export(engine, tmp_path / "g.dot", fmt="dot")


def test_neighbourhood_depth_and_limit(engine):
    _world(engine)
    one = neighbourhood(engine, 1, depth=1)
    assert set(one.nodes) == {"person:1", "repo:1", "repo:2", "paper:1", "talk:1"}
    two = neighbourhood(engine, 1, depth=2)
    assert {"person:2", "person:3", "event:1"} <= set(two.nodes)
    small = neighbourhood(engine, 1, depth=1, limit=1)
    assert {n for n in small.nodes if n.startswith("repo:")} == {"repo:2"}  # the strongest repo only
    with pytest.raises(LookupError):
        neighbourhood(engine, 999)


def test_build_graph_with_coauthors(engine):
    _world(engine)
    G = build_graph(engine, coauthors=True)
    assert G.edges["person:1", "person:3"]["kind"] == "coauthor"


def test_sparse_pagerank_matches_networkx_ranking():
    G = nx.barabasi_albert_graph(400, 3, seed=1)
    for a, b in G.edges:
        G.edges[a, b]["weight"] = 1.0 + (a * 7 + b) % 5
    ref = nx.pagerank(G, alpha=0.85, tol=1e-12, weight="weight")
    A = nx.to_scipy_sparse_array(G, nodelist=range(400), weight="weight")
    got = pagerank(sp.csr_matrix(A), alpha=0.85, tol=1e-12)
    assert np.allclose(got, [ref[i] for i in range(400)], atol=1e-9)
    assert abs(got.sum() - 1) < 1e-9


def test_criticality_signal_saturates_at_threshold():
    assert signal(np.array([0, 9, 10, 1000.0]), 10).tolist() == pytest.approx([0, np.log(10) / np.log(11), 1, 1])
    spec = {"stars": {"threshold": 100, "weight": 1.0}, "months_since_push": {"threshold": 12, "weight": -1.0}}
    got = criticality({"stars": np.array([100.0, 100.0, 0.0]), "months_since_push": np.array([0.0, 24.0, 0.0])}, spec, 3)
    assert got.tolist() == pytest.approx([1.0, 0.5, 0.5])
