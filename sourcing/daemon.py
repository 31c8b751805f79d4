"""APScheduler wiring: the nightly run (and an optional collection job) on a schedule, one daemon per database.

Jobs live in a persistent SQLAlchemyJobStore (table `apscheduler_jobs`, created by APScheduler in
the same database, outside the Alembic schema), so a run missed while the daemon was down is still
made when it comes back — once (coalesce) and only within `schedule.misfire_grace_seconds`.
APScheduler's guide says a job store must never be shared by two schedulers: `db_lock(engine,
"daemon")` (an flock next to a SQLite file, an advisory lock on PostgreSQL) makes a second daemon
on the same database refuse to start. SIGTERM/SIGINT let the current step finish (a collection step
stops at its next checkpointed progress report), record the run as interrupted, then exit 0; a
daemon that restarts after being killed mid-run resumes that run.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

from sourcing.config import Config
from sourcing.pipeline import COLLECT_STEPS, EXIT_BUSY, Step, graceful_stop, run_pipeline
from sourcing.runs import LockBusy, db_lock, reap_dead_runs
from storage.models import Run

log = logging.getLogger("sourcing.daemon")

JOBSTORE_TABLE = "apscheduler_jobs"
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 5


class DaemonError(RuntimeError):
    """The daemon cannot start (bad schedule, database busy): one clear message."""


@dataclass
class JobSpec:
    id: str
    kind: str  # run | collect
    trigger: Any
    key: str  # what the job is, in words; a stored job with another key is replaced


@dataclass
class _Context:
    engine: Engine
    config: Config
    steps: Optional[Sequence[Step]]
    only: Optional[list[str]]
    skip: Optional[list[str]]
    stop: threading.Event = field(default_factory=threading.Event)


# the running daemon's context: jobs in the store hold only a reference to `run_job` and its kind
_CTX: Optional[_Context] = None


def run_job(kind: str, resume: Optional[int] = None) -> None:
    """What a scheduled job runs: the pipeline (kind "run"), or just the collection steps."""
    ctx = _CTX
    if ctx is None:
        log.error("job %s fired outside a running daemon: ignored", kind)
        return
    if ctx.stop.is_set():
        log.info("job %s not started: the daemon is stopping", kind)
        return
    only = ctx.only
    if kind == "collect":
        only = [s for s in COLLECT_STEPS if s not in (ctx.skip or [])]
    log.info("job %s: starting%s", kind, f" (resuming run {resume})" if resume else "")
    try:
        result = run_pipeline(
            ctx.engine, ctx.config, steps=ctx.steps, only=None if resume else only,
            skip=None if resume else (None if kind == "collect" else ctx.skip),
            trigger="daemon", kind="crawl" if kind == "collect" else "run", stop=ctx.stop, resume=resume,
        )
    except LockBusy as exc:
        log.warning("job %s skipped: %s", kind, exc)
        return
    except Exception:  # noqa: BLE001 — a broken job must not kill the scheduler
        log.exception("job %s crashed", kind)
        return
    log.info("job %s: run %s %s (%s)", kind, result.run_id, result.status,
             ", ".join(f"{k} {v}" for k, v in result.steps.items()))


# --- the schedule -------------------------------------------------------------------------


def _zone(config: Config):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(config.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DaemonError(f"schedule.timezone: unknown time zone '{config.schedule.timezone}'") from None


def job_specs(config: Config, *, every: Optional[float] = None) -> list[JobSpec]:
    """The jobs the config asks for. `every`: instead, the full run every N seconds (tests, trials)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = _zone(config)
    if every:
        return [JobSpec("every", "run", IntervalTrigger(seconds=every, timezone=tz), f"run every {every:g}s")]
    hour, minute = (int(x) for x in config.schedule.nightly.split(":"))
    specs = [
        JobSpec(
            "nightly", "run", CronTrigger(hour=hour, minute=minute, timezone=tz),
            f"run daily at {hour:02d}:{minute:02d} {tz.key}",
        )
    ]
    hours = config.schedule.collect_interval_hours
    if hours:
        specs.append(JobSpec("collect", "collect", IntervalTrigger(hours=hours, timezone=tz), f"collect every {hours:g}h"))
    return specs


def build_scheduler(engine: Engine, config: Config, specs: list[JobSpec]):
    """A BlockingScheduler on the database's job store, its jobs brought in line with `specs`.

    A stored job whose description is unchanged is kept as stored — with the next run time it had,
    so a run missed while the daemon was down still fires (coalesced, within the grace time);
    changed jobs are replaced and jobs no longer configured are removed."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    grace = config.schedule.misfire_grace_seconds
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)
    scheduler = BlockingScheduler(
        jobstores={"default": store, "transient": MemoryJobStore()},
        # one worker: the nightly run and the collection job never overlap in this daemon
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=_zone(config),
    )
    store.start(scheduler, "default")  # creates the table; the scheduler's own start() repeats it harmlessly
    wanted = {s.id: s for s in specs}
    for job in store.get_all_jobs():  # jobs that no longer unpickle are dropped (and logged) by APScheduler
        if job.id not in wanted:
            store.remove_job(job.id)
            log.info("removed job %s (%s): no longer in the config", job.id, job.name)
    for spec in specs:
        old = store.lookup_job(spec.id)
        if (
            old is not None
            and old.name == spec.key
            and old.misfire_grace_time == grace
            and old.coalesce
            and old.max_instances == 1
            and old.next_run_time is not None
        ):
            log.info("job %s (%s): kept, next run %s", spec.id, spec.key, _fmt(old.next_run_time))
            continue
        scheduler.add_job(
            run_job, spec.trigger, args=[spec.kind], id=spec.id, name=spec.key, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=grace,
        )
        now = datetime.now(timezone.utc)
        log.info("job %s (%s): scheduled, next run %s", spec.id, spec.key, _fmt(spec.trigger.get_next_fire_time(None, now)))
    return scheduler


def _fmt(t: Optional[datetime]) -> str:
    return t.isoformat(timespec="seconds") if t else "never"


def _interrupted_daemon_run(engine: Engine, grace: int) -> Optional[int]:
    """The newest run, if the daemon started it, it was interrupted (killed or stopped), and it
    is recent enough (within the misfire grace time) to be worth finishing now."""
    reap_dead_runs(engine)
    t = Run.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(t.c.id, t.c.status, t.c.trigger, t.c.kind, t.c.started_at).order_by(t.c.id.desc()).limit(1)
        ).first()
    if not row or row.status != "interrupted" or row.trigger != "daemon" or row.kind != "run":
        return None
    started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=timezone.utc)
    return row.id if datetime.now(timezone.utc) - started <= timedelta(seconds=grace) else None


# --- logging ------------------------------------------------------------------------------


_TOKEN_PATTERNS = re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})\b")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks every known secret (the configured tokens' values and
    anything shaped like a GitHub token), including inside tracebacks."""

    def __init__(self, fmt: str, secrets: Sequence[str]):
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for s in self.secrets:
            text = text.replace(s, "***")
        return _TOKEN_PATTERNS.sub("***", text)


def default_log_file(config: Config) -> Path:
    """Next to a SQLite database file, else in the current directory."""
    from sqlalchemy.engine import make_url

    url = make_url(config.database.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "sourcing-daemon.log"
    return Path("sourcing-daemon.log").resolve()


def setup_logging(config: Config, log_file: Path, *, level: int = logging.INFO) -> list[logging.Handler]:
    secrets = list(config.github_tokens())
    web = os.environ.get(config.web.token_env)
    if web:
        secrets.append(web)
    fmt = RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    out = logging.StreamHandler(sys.stdout)
    rot = logging.handlers.RotatingFileHandler(log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    root = logging.getLogger()
    for h in (out, rot):
        h.setFormatter(fmt)
        h.setLevel(level)
        root.addHandler(h)
    root.setLevel(min(level, root.level) if root.level else level)
    return [out, rot]


# --- the daemon ---------------------------------------------------------------------------


def serve(
    engine: Engine,
    config: Config,
    *,
    steps: Optional[Sequence[Step]] = None,
    only: Optional[list[str]] = None,
    skip: Optional[list[str]] = None,
    every: Optional[float] = None,
    log_file: Optional[Path] = None,
    resume_interrupted: bool = True,
) -> int:
    """Run the scheduler until SIGTERM/SIGINT; returns the process exit code (0: stopped cleanly,
    4: another daemon holds this database, 2: bad schedule)."""
    global _CTX
    handlers = setup_logging(config, Path(log_file) if log_file else default_log_file(config))
    try:
        return _serve(engine, config, steps, only, skip, every, resume_interrupted)
    finally:
        _CTX = None
        for h in handlers:
            logging.getLogger().removeHandler(h)
            h.close()


def _serve(engine, config, steps, only, skip, every, resume_interrupted) -> int:
    global _CTX
    from apscheduler.events import EVENT_SCHEDULER_START

    from sourcing.pipeline import select_steps, default_steps

    where = engine.url.render_as_string(hide_password=True)
    try:
        specs = job_specs(config, every=every)
        select_steps(list(steps) if steps is not None else default_steps(), only=only, skip=skip)
    except (DaemonError, ValueError) as exc:
        log.error("%s", exc)
        return 2
    try:
        lock = db_lock(engine, "daemon")
        lock.__enter__()
    except LockBusy as exc:
        log.error("refusing to start: %s", exc)
        return EXIT_BUSY
    try:
        ctx = _CTX = _Context(engine, config, steps, only, skip)
        scheduler = build_scheduler(engine, config, specs)
        if resume_interrupted:
            rid = _interrupted_daemon_run(engine, config.schedule.misfire_grace_seconds)
            if rid is not None:
                log.info("run %s was interrupted: resuming it now", rid)
                scheduler.add_job(run_job, "date", args=["run", rid], id="resume", jobstore="transient",
                                  misfire_grace_time=None)
        stopper: list[threading.Thread] = []

        def shutdown(_signum: int = 0) -> None:
            if stopper or not scheduler.running:
                return
            t = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, name="daemon-shutdown")
            stopper.append(t)
            t.start()

        def started(_event) -> None:
            if ctx.stop.is_set():  # a signal came before the scheduler was up
                shutdown()

        scheduler.add_listener(started, EVENT_SCHEDULER_START)
        with graceful_stop(ctx.stop, on_first=shutdown, hard_exit=True):
            log.info("daemon started on %s (pid %d): %s", where, os.getpid(), "; ".join(s.key for s in specs))
            if not ctx.stop.is_set():
                scheduler.start()  # blocks until shutdown() has waited for the running job
        for t in stopper:
            t.join()
        log.info("daemon stopped cleanly")
        return 0
    finally:
        lock.__exit__(None, None, None)
