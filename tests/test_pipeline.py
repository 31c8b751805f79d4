"""The nightly pipeline's mechanics with stand-in steps: failures, selection, stop, kill and resume.

The stand-in collection steps write through the real sink (sourcing.collect.run_collector ->
storage.ingest.store), with checkpoints, exactly as the real collectors do. Run as a script
(see CHILD), this file is the child a test kills with SIGKILL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sourcing.collect import run_collector
from sourcing.config import Config
from sourcing.pipeline import Step, StepContext, run_pipeline, select_steps
from sourcing.runs import LockBusy, StepRecord, db_lock
from sourcing.sources.contract import Checkpoint, Record
from storage.models import Identity, Run, RunStep

N_PEOPLE = 120
# run this file as __main__ without putting tests/ on sys.path (tests/storage would shadow storage)
CHILD = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"


class FakeCollector:
    """Yields one identity per record, a checkpoint every 10; optionally blocks half-way."""

    categories = ("user",)

    def __init__(self, source: str, n: int = N_PEOPLE, block_at: int | None = None):
        self.name, self.n, self.block_at = source, n, block_at

    def fetch(self, category, since=None):
        for i in range(self.n):
            if self.block_at is not None and i == self.block_at:
                Path(os.environ.get("BLOCK_FLAG", "/dev/null")).touch() if os.environ.get("BLOCK_FLAG") else None
                time.sleep(600)  # the test kills us here
            yield Record(
                self.name, "user", f"{self.name}:user:{i}", str(i), datetime(2025, 1, 1, tzinfo=timezone.utc),
                rows={"identity": [{"source": self.name, "external_key": f"u{i}", "name": f"Person {i}"}]},
            )
            if i % 10 == 9:
                yield Checkpoint(self.name, "user", since=datetime(2025, 1, 1, tzinfo=timezone.utc), page=i)


def collect_step(source: str, block_at: int | None = None):
    def fn(ctx: StepContext, rec: StepRecord) -> None:
        stats = run_collector(ctx.engine, FakeCollector(source, block_at=block_at), batch_size=25,
                              on_item=lambda _i: ctx.progress())
        rec.counts = {"records": stats.records, **stats.stored}

    return fn


def ok_step(ctx, rec):
    rec.counts = {"things": 3}


def boom(ctx, rec):
    raise ConnectionError("api.github.com unreachable")


def standin_steps(block: bool = False) -> list[Step]:
    return [
        Step("github", collect_step("github"), interruptible=True),
        Step("arxiv", collect_step("arxiv", block_at=N_PEOPLE // 2 if block else None), interruptible=True),
        Step("talks", ok_step),
        Step("resolve", ok_step),
        Step("score", ok_step),
        Step("leads", ok_step),
    ]


def steps_of(engine, run_id) -> dict[str, str]:
    t = RunStep.__table__
    with engine.connect() as conn:
        return dict(conn.execute(select(t.c.name, t.c.status).where(t.c.run_id == run_id).order_by(t.c.id)).all())


def run_row(engine, run_id):
    t = Run.__table__
    with engine.connect() as conn:
        return conn.execute(select(t).where(t.c.id == run_id)).mappings().one()


def identity_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Identity.__table__)).scalar_one()


# --- tests ------------------------------------------------------------------------------


def test_a_failing_source_leaves_the_other_steps_done_and_the_run_partial(engine):
    steps = standin_steps()
    steps[0] = Step("github", boom)
    result = run_pipeline(engine, Config(), steps=steps)
    assert result.status == "partial" and result.exit_code == 1
    assert result.steps == {"github": "failed", "arxiv": "ok", "talks": "ok", "resolve": "ok", "score": "ok", "leads": "ok"}
    t = RunStep.__table__
    with engine.connect() as conn:
        gh = conn.execute(select(t).where((t.c.run_id == result.run_id) & (t.c.name == "github"))).mappings().one()
        ax = conn.execute(select(t).where((t.c.run_id == result.run_id) & (t.c.name == "arxiv"))).mappings().one()
    assert gh["error"] == "ConnectionError: api.github.com unreachable"
    assert ax["counts"]["records"] == N_PEOPLE and ax["counts"]["identity"] == N_PEOPLE
    assert ax["finished_at"] >= ax["started_at"]
    assert identity_count(engine) == N_PEOPLE  # arXiv's people are stored although GitHub failed
    assert run_row(engine, result.run_id)["status"] == "partial"


def test_every_step_failing_makes_the_run_failed(engine):
    steps = [Step(n, boom) for n in ("github", "arxiv")]
    result = run_pipeline(engine, Config(), steps=steps)
    assert result.status == "failed" and result.exit_code == 3
    assert run_row(engine, result.run_id)["error"] == "every step failed"


def test_only_and_skip_choose_the_steps(engine):
    r = run_pipeline(engine, Config(), steps=standin_steps(), only=["resolve", "score"])
    assert list(r.steps) == ["resolve", "score"] and r.status == "ok" and r.exit_code == 0
    r = run_pipeline(engine, Config(), steps=standin_steps(), skip=["github", "arxiv", "talks"])
    assert list(r.steps) == ["resolve", "score", "leads"]
    with pytest.raises(ValueError, match="unknown step 'gitlab'.*github, arxiv"):
        select_steps(standin_steps(), only=["gitlab"])
    with pytest.raises(ValueError, match="no step left"):
        select_steps(standin_steps(), only=["score"], skip=["score"])


def test_a_missing_stage_fails_its_step_loudly(engine, monkeypatch):
    import sourcing.pipeline as p

    real_entry = p._entry
    monkeypatch.setattr(p, "_entry", lambda module, attr, what: real_entry(module.replace("sourcing.", "sourcing.nope_"), attr, what))
    r = run_pipeline(engine, Config(), only=["resolve"])
    assert r.steps == {"resolve": "failed"} and r.status == "failed"
    t = RunStep.__table__
    with engine.connect() as conn:
        err = conn.execute(select(t.c.error).where(t.c.run_id == r.run_id)).scalar_one()
    assert err == "StageMissing: identity resolution is not installed: module sourcing.nope_identity not found"


def test_a_stop_request_finishes_the_current_step_and_skips_the_rest(engine):
    stop = threading.Event()

    def slow_resolve(ctx, rec):
        stop.set()  # as the signal handler would, while this step runs
        ctx.progress()  # resolve is not interruptible: it finishes
        rec.counts = {"people": 5}

    steps = standin_steps()
    steps[3] = Step("resolve", slow_resolve)
    r = run_pipeline(engine, Config(), steps=steps, stop=stop)
    assert r.status == "interrupted" and r.exit_code == 130
    assert r.steps == {"github": "ok", "arxiv": "ok", "talks": "ok", "resolve": "ok", "score": "skipped", "leads": "skipped"}
    assert run_row(engine, r.run_id)["error"] == "stopped on request at step score"


def test_a_stop_request_interrupts_a_collection_step_at_its_next_checkpointed_progress(engine):
    stop = threading.Event()

    def collect_then_stop(ctx, rec):
        n = 0

        def on_item(item):
            nonlocal n
            n += 1
            if n == 30:
                stop.set()
            ctx.progress()

        run_collector(ctx.engine, FakeCollector("github"), batch_size=10, on_item=on_item)

    steps = [Step("github", collect_then_stop, interruptible=True), Step("score", ok_step)]
    r = run_pipeline(engine, Config(), steps=steps, stop=stop)
    assert r.steps == {"github": "interrupted", "score": "skipped"} and r.status == "interrupted"
    assert 20 <= identity_count(engine) < N_PEOPLE  # what was flushed before the stop is kept


def test_a_second_run_on_the_same_database_is_refused_while_one_runs(engine):
    with db_lock(engine, "run"):
        with pytest.raises(LockBusy, match=r"another sourcing run is already running on .*test\.db \(pid \d+"):
            run_pipeline(engine, Config(), steps=standin_steps(), only=["score"])
    assert run_pipeline(engine, Config(), steps=standin_steps(), only=["score"]).status == "ok"


def _killed_half_way(db_url: str, tmp_path: Path, kill_when) -> int:
    """Start the stand-in pipeline in a child, SIGKILL it half-way through arxiv; the run id."""
    flag = tmp_path / "blocked"
    env = {**os.environ, "BLOCK_FLAG": str(flag)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, __file__, db_url, "--block"], env=env, cwd=tmp_path)
    kill_when(child, flag.exists, 60)
    return child


def test_a_run_killed_half_way_then_run_again_completes_without_duplicates(engine, db_url, tmp_path, kill_when):
    _killed_half_way(db_url, tmp_path, kill_when)
    with engine.connect() as conn:
        killed = conn.execute(select(Run.__table__.c.id)).scalar_one()
    assert run_row(engine, killed)["status"] == "running"  # nobody could write its end
    assert steps_of(engine, killed) == {"github": "ok", "arxiv": "running"}
    half = identity_count(engine)
    assert N_PEOPLE + 25 <= half < 2 * N_PEOPLE  # github's people and arxiv's first flushed batches

    again = run_pipeline(engine, Config(), steps=standin_steps())
    assert again.status == "ok" and again.run_id != killed
    assert identity_count(engine) == 2 * N_PEOPLE  # each person once: the re-run upserted, no duplicates
    old = run_row(engine, killed)
    assert old["status"] == "interrupted" and "ended without finishing" in old["error"]
    assert steps_of(engine, killed)["arxiv"] == "interrupted"


def test_a_killed_run_can_be_resumed_as_the_same_run(engine, db_url, tmp_path, kill_when):
    _killed_half_way(db_url, tmp_path, kill_when)
    calls = []

    def spy(name):
        inner = collect_step(name)

        def fn(ctx, rec):
            calls.append(name)
            inner(ctx, rec)

        return fn

    steps = standin_steps()
    steps[0], steps[1] = Step("github", spy("github")), Step("arxiv", spy("arxiv"))
    from sourcing.pipeline import last_interrupted_run

    killed = last_interrupted_run(engine)
    assert killed is not None
    r = run_pipeline(engine, Config(), steps=steps, resume=killed)
    assert r.run_id == killed and r.status == "ok"
    assert calls == ["arxiv"]  # github was done before the kill
    assert steps_of(engine, killed) == dict.fromkeys(["github", "arxiv", "talks", "resolve", "score", "leads"], "ok")
    assert identity_count(engine) == 2 * N_PEOPLE
    with pytest.raises(ValueError, match="is ok"):
        run_pipeline(engine, Config(), steps=steps, resume=killed)


def test_sourcing_run_cli_prints_steps_and_exits_with_the_run_status(db_url, monkeypatch):
    from typer.testing import CliRunner

    import sourcing.pipeline as p
    from sourcing.cli import app

    steps = standin_steps()
    steps[1] = Step("arxiv", boom)
    monkeypatch.setattr(p, "default_steps", lambda: steps)
    runner = CliRunner()
    res = runner.invoke(app, ["--db", db_url, "run", "--skip", "talks"])
    assert res.exit_code == 1, res.output
    assert "failed      arxiv" in res.output and "run 1: partial (1 of 5 steps failed: arxiv)" in res.output
    res = runner.invoke(app, ["--db", db_url, "run", "--only", "nope"])
    assert res.exit_code == 2 and "unknown step 'nope'" in res.output

    res = runner.invoke(app, ["--db", db_url, "runs"])
    assert res.exit_code == 0 and "partial" in res.output
    res = runner.invoke(app, ["--db", db_url, "runs", "show", "1"])
    assert res.exit_code == 0
    assert "ConnectionError:" in res.output and "records=120" in res.output  # a narrow table wraps the rest
    import json

    res = runner.invoke(app, ["--db", db_url, "runs", "show", "last", "--json"])
    info = json.loads(res.output)
    assert info["steps"][1]["error"] == "ConnectionError: api.github.com unreachable"
    assert [s["name"] for s in info["steps"]] == ["github", "arxiv", "resolve", "score", "leads"]
    assert info["steps"][0]["counts"]["identity"] == N_PEOPLE and info["status"] == "partial"
    res = runner.invoke(app, ["--db", db_url, "runs", "show", "99"])
    assert res.exit_code == 2 and "there is no run 99" in res.output


if __name__ == "__main__":  # the child of the SIGKILL tests
    from storage import ensure_schema, make_engine

    eng = make_engine(sys.argv[1])
    ensure_schema(eng)
    run_pipeline(eng, Config(), steps=standin_steps(block="--block" in sys.argv))
