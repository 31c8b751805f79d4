"""`sourcing score` and `sourcing graph export` as a user runs them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from builders import World  # noqa: E402

from sourcing.cli import app  # noqa: E402

runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ("SOURCING_CONFIG", "SOURCING_DB_URL", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def stored(engine, db_url):
    w = World()
    w.repo("acme/flowkit", stars=900, topics=["airflow"], description="Airflow toolkit")
    w.person(1, "ada"), w.github(1, "ada")
    w.person(2, "bob"), w.github(2, "bob")
    for i in range(8):
        w.pr("ada", "acme/flowkit", 10 + i * 9)
    w.pr("bob", "acme/flowkit", 40)
    w.save(engine)
    return db_url


def test_score_records_a_run_and_prints_phase_timings(stored, engine):
    res = runner.invoke(app, ["--db", stored, "score"])
    assert res.exit_code == 0, res.output
    assert "scored 2 people" in res.output and "write" in res.output and "total" in res.output
    res = runner.invoke(app, ["--db", stored, "score", "--json"])
    out = json.loads(res.output)
    assert out["counts"]["scored_people"] == 2 and out["timings"]["total"] >= 0
    with engine.connect() as c:
        runs = c.execute(text("SELECT id, kind, status FROM run ORDER BY id")).fetchall()
        assert [(r.kind, r.status) for r in runs] == [("score", "ok"), ("score", "ok")]
        assert c.execute(text("SELECT DISTINCT run_id FROM score")).scalars().all() == [out["run_id"]]
        step = c.execute(text("SELECT name, status, counts FROM runstep WHERE run_id = :r"), {"r": out["run_id"]}).first()
        assert step.name == "score" and step.status == "ok" and json.loads(step.counts)["scores"] > 0


def test_score_rejects_bad_weights_file(stored, tmp_path):
    bad = tmp_path / "w.toml"
    bad.write_text("[code]\nexponnt = 1\n")
    res = runner.invoke(app, ["--db", stored, "score", "--weights", str(bad)])
    assert res.exit_code == 2
    assert "code.exponnt: unknown key" in res.output
    res = runner.invoke(app, ["--db", stored, "score", "--weights", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2 and "not found" in res.output


def test_graph_export_writes_a_file_networkx_reads(stored, tmp_path):
    runner.invoke(app, ["--db", stored, "score"])
    out = tmp_path / "g.graphml"
    res = runner.invoke(app, ["--db", stored, "graph", "export", "--format", "graphml", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    G = nx.read_graphml(out)
    assert G.number_of_nodes() == info["nodes"] == 3  # ada, bob, acme/flowkit
    res = runner.invoke(app, ["--db", stored, "graph", "export", "--format", "gexf", "--out", str(tmp_path / "a.gexf"),
                              "--around", "bob", "--depth", "2"])
    assert res.exit_code == 0 and "around person 2" in res.output
    assert set(nx.read_gexf(tmp_path / "a.gexf").nodes) == {"person:1", "person:2", "repo:1"}


def test_graph_export_bad_input_is_one_clear_line(stored, tmp_path):
    res = runner.invoke(app, ["--db", stored, "graph", "export", "--format", "dot", "--out", str(tmp_path / "g")])
    assert res.exit_code == 2 and "--format: 'dot'" in res.output
    res = runner.invoke(app, ["--db", stored, "graph", "export", "--out", str(tmp_path / "g"), "--around", "nobody"])
    assert res.exit_code == 2 and "nobody" in res.output and "Traceback" not in res.output
