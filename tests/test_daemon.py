"""The daemon: runs on schedule, one per database, stops cleanly on SIGTERM, resumes a killed run.

The daemon runs in a child process (this file run as __main__, see CHILD) with stand-in steps so
that each test takes seconds; `sourcing daemon` itself is driven for the refusal message.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sourcing.config import Config
from storage.models import Run, RunStep

CHILD = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
ROOT = Path(__file__).resolve().parent.parent


def _steps(mode: str):
    from sourcing.pipeline import Step

    def ok(ctx, rec):
        rec.counts = {"things": 1}

    def resolve(ctx, rec):
        if mode == "block":
            Path(os.environ["FLAG"]).touch()
            time.sleep(600)  # killed here
        time.sleep(0.6 if mode == "slow" else 0)
        rec.counts = {"people": 2}

    return [Step(n, ok) for n in ("github", "arxiv", "talks")] + [Step("resolve", resolve)] + [
        Step(n, ok) for n in ("score", "leads")
    ]


def start_daemon(db_url: str, tmp_path: Path, mode: str = "slow", every: float = 1.0) -> subprocess.Popen:
    env = {**os.environ, "FLAG": str(tmp_path / "blocked"), "GITHUB_TOKEN": "ghp_" + "S3cr3t" * 5}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, __file__, db_url, str(tmp_path / "daemon.log"), mode, str(every)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def runs(engine) -> list[dict]:
    t = Run.__table__
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]


def steps_of(engine, run_id) -> dict[str, str]:
    t = RunStep.__table__
    with engine.connect() as conn:
        return dict(conn.execute(select(t.c.name, t.c.status).where(t.c.run_id == run_id).order_by(t.c.id)).all())


def wait_for(cond, what: str, proc: subprocess.Popen | None = None, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the daemon exited ({proc.returncode}) before {what}:\n{proc.stdout.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_daemon_runs_on_schedule_then_stops_cleanly_on_sigterm(engine, db_url, tmp_path):
    proc = start_daemon(db_url, tmp_path, "slow")
    try:
        wait_for(lambda: sum(r["status"] == "ok" for r in runs(engine)) >= 2, "two runs", proc)
        # SIGTERM while the next run is inside its (slow) resolve step
        wait_for(
            lambda: (rs := runs(engine)) and rs[-1]["status"] == "running" and steps_of(engine, rs[-1]["id"]).get("resolve") == "running",
            "a third run in its resolve step", proc,
        )
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        stop(proc)
    assert proc.returncode == 0, out
    rs = runs(engine)
    assert [r["trigger"] for r in rs] == ["daemon"] * len(rs)
    assert [r["status"] for r in rs[:2]] == ["ok", "ok"]
    last = rs[-1]
    # the current step finished; the rest were not started; the run says why
    assert last["status"] == "interrupted" and last["error"] == "stopped on request at step score"
    assert steps_of(engine, last["id"]) == {
        "github": "ok", "arxiv": "ok", "talks": "ok", "resolve": "ok", "score": "skipped", "leads": "skipped",
    }
    assert "SIGTERM: finishing the current step" in out and "daemon stopped cleanly" in out
    logged = (tmp_path / "daemon.log").read_text()
    assert "daemon stopped cleanly" in logged and "job run: run 1 ok" in logged
    assert "S3cr3t" not in out + logged  # the token never reaches a log
    with engine.connect() as conn:  # the job persists in the database for the next start
        assert conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == ["every"]


def test_a_second_daemon_on_the_same_database_refuses_to_start(engine, db_url, tmp_path):
    first = start_daemon(db_url, tmp_path, "slow", every=3600)
    try:
        wait_for(lambda: "daemon started" in (tmp_path / "daemon.log").read_text() if (tmp_path / "daemon.log").exists() else False,
                 "the first daemon to start", first)
        second = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "sourcing"), "--db", db_url, "daemon", "--every", "1",
             "--log-file", str(tmp_path / "second.log")],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
        assert second.returncode == 4, second.stdout + second.stderr
        assert f"refusing to start: another sourcing daemon is already running on {tmp_path / 'test.db'} (pid {first.pid}" in second.stdout
        assert first.poll() is None  # the first one is unharmed
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
        assert first.returncode == 0
    finally:
        stop(first)
    assert runs(engine) == []  # neither ran anything: the schedule was hourly, the second refused


def test_a_daemon_killed_mid_run_resumes_that_run_when_restarted(engine, db_url, tmp_path):
    proc = start_daemon(db_url, tmp_path, "block", every=1)
    try:
        wait_for(lambda: (tmp_path / "blocked").exists(), "the run to block in resolve", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        stop(proc)
    killed = runs(engine)[-1]
    assert killed["status"] == "running"
    proc = start_daemon(db_url, tmp_path, "fast", every=3600)
    try:
        wait_for(lambda: runs(engine)[0]["status"] == "ok", "the killed run to be resumed", proc)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        stop(proc)
    assert proc.returncode == 0
    rs = runs(engine)
    assert len(rs) == 1 and rs[0]["id"] == killed["id"]  # the same run, finished; no new run yet
    assert f"run {killed['id']} was interrupted: resuming it now" in out
    assert set(steps_of(engine, killed["id"]).values()) == {"ok"}


def test_jobs_follow_the_config_and_keep_a_missed_run(engine, monkeypatch):
    from apscheduler.triggers.cron import CronTrigger

    from sourcing.daemon import build_scheduler, job_specs

    cfg = Config.model_validate(
        {"schedule": {"timezone": "Europe/Berlin", "nightly": "02:30", "collect_interval_hours": 4, "misfire_grace_seconds": 7200}}
    )
    sched = build_scheduler(engine, cfg, job_specs(cfg))
    from apscheduler.schedulers.base import BaseScheduler

    # start without blocking (paused: no job runs) to write the pending jobs into the store
    BaseScheduler.start(sched, paused=True)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"nightly", "collect"}
    n = jobs["nightly"]
    assert isinstance(n.trigger, CronTrigger) and str(n.trigger.timezone) == "Europe/Berlin"
    assert n.next_run_time.hour == 2 and n.next_run_time.minute == 30
    assert (n.coalesce, n.max_instances, n.misfire_grace_time) == (True, 1, 7200)
    # simulate a night the daemon was down: the stored run time is in the past
    missed = datetime.now(timezone.utc) - timedelta(hours=1)
    sched.modify_job("nightly", next_run_time=missed)
    BaseScheduler.shutdown(sched, wait=False)

    sched = build_scheduler(engine, cfg, job_specs(cfg))  # same config: the missed run is kept
    store = sched._jobstores["default"]
    assert store.lookup_job("nightly").next_run_time == missed
    cfg2 = Config.model_validate({"schedule": {"nightly": "03:00"}})  # changed time, no collection job
    sched = build_scheduler(engine, cfg2, job_specs(cfg2))
    BaseScheduler.start(sched, paused=True)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"nightly"} and jobs["nightly"].next_run_time > datetime.now(timezone.utc)
    assert jobs["nightly"].misfire_grace_time == 6 * 3600  # the default: hours, not APScheduler's 1 s
    BaseScheduler.shutdown(sched, wait=False)


def test_a_bad_time_zone_is_one_clear_error():
    from sourcing.daemon import DaemonError, job_specs

    with pytest.raises(DaemonError, match="schedule.timezone: unknown time zone 'Mars/Olympus'"):
        job_specs(Config.model_validate({"schedule": {"timezone": "Mars/Olympus"}}))


def test_log_lines_never_carry_a_token(tmp_path, monkeypatch):
    from sourcing.daemon import setup_logging

    monkeypatch.setenv("GITHUB_TOKEN", "tok-abcdef-123456")
    handlers = setup_logging(Config(), tmp_path / "d.log")
    try:
        logging.getLogger("sourcing.test").warning("using tok-abcdef-123456 and ghp_%s", "A" * 36)
        try:
            raise RuntimeError("bad credentials tok-abcdef-123456")
        except RuntimeError:
            logging.getLogger("sourcing.test").exception("boom")
    finally:
        for h in handlers:
            logging.getLogger().removeHandler(h)
            h.close()
    logged = (tmp_path / "d.log").read_text()
    assert "tok-abcdef" not in logged and "AAAA" not in logged and logged.count("***") >= 3


if __name__ == "__main__":  # the daemon child
    from sourcing.daemon import serve
    from storage import ensure_schema, make_engine

    db, log_file, mode, every = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    eng = make_engine(db)
    ensure_schema(eng)
    sys.exit(serve(eng, Config(), steps=_steps(mode), every=every, log_file=Path(log_file)))
