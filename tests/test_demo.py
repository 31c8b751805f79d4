"""End to end on the offline world with the real stages: `sourcing demo`, and a nightly run killed
with SIGKILL half-way then run again, compared with an uninterrupted run."""

from __future__ import annotations

import csv
import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage import ensure_schema, make_engine
from storage.models import Run, RunStep

ROOT = Path(__file__).resolve().parent.parent
SOURCING = str(ROOT / ".venv" / "bin" / "sourcing") if (ROOT / ".venv" / "bin" / "sourcing").exists() else "sourcing"
SIZE = 200
# the tables collection and the passes write; every one has a natural key
TABLES = ["repo", "identity", "repocontributor", "activity", "paper", "authorship", "papercode", "event", "talk",
          "speaking", "cursor", "person", "score", "leadlist", "lead"]


def counts(db: Path) -> dict[str, int]:
    eng = make_engine(f"sqlite:///{db}")
    with eng.connect() as conn:
        out = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in TABLES}
    eng.dispose()
    return out


@pytest.mark.slow
def test_sourcing_demo_prints_lead_lists_and_writes_a_shortlist_csv(tmp_path):
    from sourcing.export import COLUMNS

    t0 = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCING_CONFIG", "SOURCING_DB_URL")}
    env["COLUMNS"] = "160"
    res = subprocess.run([SOURCING, "demo", "--dir", str(tmp_path / "demo"), "--size", str(SIZE)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    took = time.monotonic() - t0
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    for name in ("airflow-berlin", "ml-engineers", "mlops"):  # the world config's saved searches
        assert f"lead list: {name}" in out
    assert "run 1: ok" in out
    with open(tmp_path / "demo" / "shortlist.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) > 5 and all(r[COLUMNS.index("evidence")] for r in rows[1:])
    assert f"shortlist: {tmp_path / 'demo' / 'shortlist.csv'} ({len(rows) - 1} people)" in out.replace("\n", "")
    eng = make_engine(f"sqlite:///{tmp_path / 'demo' / 'demo.db'}")
    with eng.connect() as conn:
        run = conn.execute(select(Run.__table__)).mappings().one()
        steps = dict(conn.execute(select(RunStep.__table__.c.name, RunStep.__table__.c.status)).all())
    eng.dispose()
    assert (run["kind"], run["trigger"], run["status"]) == ("demo", "demo", "ok")
    assert {steps[s] for s in ("github", "arxiv", "talks", "resolve", "score", "leads")} == {"ok"}
    assert took < 120, f"the demo took {took:.0f}s"


@pytest.mark.slow
def test_a_real_run_killed_half_way_then_run_again_equals_an_uninterrupted_run(world_factory, tmp_path, kill_when):
    from sourcing.world.server import config_text

    world = world_factory(size=120, rate_limit=1_000_000)

    def config(name: str) -> Path:
        path = tmp_path / f"{name}.toml"
        body = config_text(world.url, db_url=f"sqlite:///{tmp_path / name}.db")
        path.write_text(body.replace('token_env = ["GITHUB_TOKEN"]', "token_env = []"), encoding="utf-8")
        return path

    env = {k: v for k, v in os.environ.items() if k not in ("SOURCING_CONFIG", "SOURCING_DB_URL")}
    killed_cfg, ref_cfg = config("killed"), config("reference")
    db = tmp_path / "killed.db"
    eng = make_engine(f"sqlite:///{db}")
    ensure_schema(eng)

    def in_pulls() -> bool:
        t = RunStep.__table__
        with eng.connect() as conn:
            running = conn.execute(select(t.c.name).where(t.c.status == "running")).scalars().all()
            acts = conn.execute(text("SELECT COUNT(*) FROM activity")).scalar_one()
        return "github pulls" in running and acts > 20

    child = subprocess.Popen([SOURCING, "--config", str(killed_cfg), "run"], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(child, in_pulls, 120)
    half = counts(db)
    assert 0 < half["activity"] and half["person"] == 0  # killed inside GitHub, before resolution

    again = subprocess.run([SOURCING, "--config", str(killed_cfg), "run"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    ref = subprocess.run([SOURCING, "--config", str(ref_cfg), "run"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert ref.returncode == 0, ref.stdout + ref.stderr

    resumed, reference = counts(db), counts(tmp_path / "reference.db")
    assert resumed == reference  # every row once: nothing lost, nothing twice
    with eng.connect() as conn:
        statuses = conn.execute(select(Run.__table__.c.status).order_by(Run.__table__.c.id)).scalars().all()
        dup = conn.execute(text(
            "SELECT COUNT(*) FROM (SELECT uid FROM activity GROUP BY uid HAVING COUNT(*) > 1)")).scalar_one()
    eng.dispose()
    assert statuses == ["interrupted", "ok"] and dup == 0
