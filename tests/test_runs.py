"""Run records: statuses, resuming a run, finding runs whose process died, the one-at-a-time lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, update

from sourcing.runs import LockBusy, StopRequested, db_lock, process_marker, reap_dead_runs, record_run
from storage.models import Run, RunStep


def run_row(engine, run_id):
    with engine.connect() as conn:
        return conn.execute(select(Run.__table__).where(Run.__table__.c.id == run_id)).mappings().one()


def step_rows(engine, run_id):
    t = RunStep.__table__
    with engine.connect() as conn:
        return {r["name"]: r for r in conn.execute(select(t).where(t.c.run_id == run_id)).mappings()}


def test_a_failed_step_makes_the_run_partial_and_keeps_its_error_and_counts(engine):
    with record_run(engine, "crawl", "cli") as rec:
        with rec.step("github") as s:
            s.counts = {"records": 3}
            s.warn("repo x/y: not found")
        with rec.step("arxiv"):
            raise TimeoutError("export.arxiv.org timed out")
    run, steps = run_row(engine, rec.id), step_rows(engine, rec.id)
    assert run["status"] == "partial" and run["finished_at"] is not None
    assert steps["github"]["counts"] == {"records": 3} and steps["github"]["warnings"] == ["repo x/y: not found"]
    assert steps["arxiv"]["status"] == "failed" and steps["arxiv"]["error"] == "TimeoutError: export.arxiv.org timed out"
    assert run["counts"]["_process"]["pid"] == os.getpid()


def test_a_stop_request_marks_step_and_run_interrupted(engine):
    with pytest.raises(StopRequested):
        with record_run(engine) as rec:
            with rec.step("github"):
                raise StopRequested()
    assert run_row(engine, rec.id)["status"] == "interrupted"
    assert run_row(engine, rec.id)["error"] == "stopped on request"
    assert step_rows(engine, rec.id)["github"]["error"] == "stopped on request"


def test_resuming_a_run_reopens_it_and_keeps_its_done_steps(engine):
    with record_run(engine) as rec:
        with rec.step("github") as s:
            s.counts = {"records": 1}
        rec.skip("score", "stopped before this step")
        rec.status = "interrupted"
    assert run_row(engine, rec.id)["status"] == "interrupted"
    with record_run(engine, resume=rec.id) as again:
        assert again.steps() == {"github": "ok", "score": "skipped"}
        with again.step("score"):
            pass
    assert again.id == rec.id and run_row(engine, rec.id)["status"] == "ok" and run_row(engine, rec.id)["error"] is None
    assert {n: r["status"] for n, r in step_rows(engine, rec.id).items()} == {"github": "ok", "score": "ok"}


def test_runs_whose_process_died_are_marked_interrupted_and_live_ones_are_not(engine):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    t, st = Run.__table__, RunStep.__table__
    with engine.begin() as conn:
        ids = []
        for marker in ({**process_marker(), "pid": dead_pid}, process_marker(), {**process_marker(), "pid": dead_pid, "host": "elsewhere"}):
            rid = conn.execute(t.insert().values(kind="run", status="running", counts={"_process": marker})).inserted_primary_key[0]
            conn.execute(st.insert().values(run_id=rid, name="score", status="running"))
            ids.append(rid)
    assert reap_dead_runs(engine) == [ids[0]]
    assert run_row(engine, ids[0])["status"] == "interrupted"
    assert f"pid {dead_pid}" in run_row(engine, ids[0])["error"]
    assert step_rows(engine, ids[0])["score"]["status"] == "interrupted"
    assert run_row(engine, ids[1])["status"] == "running"  # this very process: alive
    assert run_row(engine, ids[2])["status"] == "running"  # another host: cannot tell


def test_a_reused_pid_is_not_taken_for_the_runs_process(engine):
    marker = {**process_marker(), "start": "1"}  # our pid, but a different process start time
    with engine.begin() as conn:
        rid = conn.execute(Run.__table__.insert().values(kind="run", status="running", counts={"_process": marker})).inserted_primary_key[0]
    if marker["start"] is None:
        pytest.skip("no /proc here")
    assert reap_dead_runs(engine) == [rid]


def test_the_lock_is_exclusive_says_who_holds_it_and_is_released(engine, tmp_path):
    with db_lock(engine, "daemon"):
        with pytest.raises(LockBusy) as err:
            with db_lock(engine, "daemon"):
                pass
        assert f"another sourcing daemon is already running on {tmp_path / 'test.db'} (pid {os.getpid()}" in str(err.value)
        holder = json.loads((tmp_path / "test.db.daemon.lock").read_text())
        assert holder["pid"] == os.getpid()
        with db_lock(engine, "run"):  # another name is another lock
            pass
    with db_lock(engine, "daemon"):  # released on exit
        pass


def test_the_lock_dies_with_its_process(engine, db_url):
    code = (
        "import sys, os, signal; from storage import make_engine; from sourcing.runs import db_lock\n"
        "cm = db_lock(make_engine(sys.argv[1]), 'daemon'); cm.__enter__(); print('held', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    child = subprocess.run([sys.executable, "-c", code, db_url], capture_output=True, text=True, timeout=60)
    assert child.stdout.strip() == "held" and child.returncode == -9
    with db_lock(engine, "daemon"):  # the kernel dropped it: no stale lock after a crash
        pass


def test_sourcing_runs_on_an_empty_database_says_how_to_start(db_url):
    from typer.testing import CliRunner

    from sourcing.cli import app

    res = CliRunner().invoke(app, ["--db", db_url, "runs"])
    assert res.exit_code == 0 and "no runs yet" in res.output
    res = CliRunner().invoke(app, ["--db", db_url, "runs", "--json"])
    assert json.loads(res.output) == []
