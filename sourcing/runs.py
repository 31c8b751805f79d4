"""Run records: every command that changes data records a Run with named steps, counts and errors.

Steps are written as they start and end (each in its own short transaction), so a run killed
half-way still shows which step it was in, and `sourcing runs` can tell an operator what broke.
A run remembers the process that owns it (`counts["_process"]`): a later command on the same host
that finds it still "running" with its process gone marks it `interrupted` (see `reap_dead_runs`).
"""

from __future__ import annotations

import os
import socket
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from storage.models import Run, RunStep


def _now() -> datetime:
    return datetime.now(timezone.utc)


class StopRequested(KeyboardInterrupt):
    """Raised inside a step when the operator asked the run to stop (SIGTERM/SIGINT to the daemon).

    A KeyboardInterrupt, so that stages' `except Exception` never swallows it and the step and run
    are recorded as `interrupted`, exactly like Ctrl-C."""


@dataclass
class StepRecord:
    """What a step reports: counts (shown in run history) and warnings (non-fatal problems)."""

    name: str
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    status: str = "ok"
    error: Optional[str] = None

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class RunRecorder:
    def __init__(self, engine: Engine, run_id: int):
        self.engine = engine
        self.id = run_id
        self.failed: list[str] = []
        self.ok: list[str] = []
        # set by the caller to override the computed final status / to store run-level counts
        self.status: Optional[str] = None
        self.error: Optional[str] = None
        self.counts: dict = {}

    @contextmanager
    def step(self, name: str, *, reraise: bool = False) -> Iterator[StepRecord]:
        """Record one step. An exception marks it failed (with the error) and, unless `reraise`,
        is swallowed so the next step still runs; KeyboardInterrupt always propagates."""
        rec = StepRecord(name)
        t = RunStep.__table__
        with self.engine.begin() as conn:
            conn.execute(t.delete().where((t.c.run_id == self.id) & (t.c.name == name)))
            step_id = conn.execute(
                t.insert().values(run_id=self.id, name=name, status="running", started_at=_now())
            ).inserted_primary_key[0]
        error: Optional[str] = None
        try:
            yield rec
            error = rec.error if rec.status == "failed" else None
        except KeyboardInterrupt as exc:
            rec.status = "interrupted"
            error = "stopped on request" if isinstance(exc, StopRequested) else "interrupted"
            raise
        except Exception as exc:  # noqa: BLE001 — a failing step must not stop the run
            rec.status = "failed"
            error = f"{type(exc).__name__}: {exc}"
            self.failed.append(name)
            if reraise:
                raise
            _log_exception(name, exc)
        finally:
            with self.engine.begin() as conn:
                conn.execute(
                    update(t)
                    .where(t.c.id == step_id)
                    .values(
                        status=rec.status,
                        finished_at=_now(),
                        counts=_jsonable(rec.counts),
                        warnings=rec.warnings or None,
                        error=error,
                    )
                )
            if rec.status == "failed" and name not in self.failed:
                self.failed.append(name)
            if rec.status == "ok":
                self.ok.append(name)

    def skip(self, name: str, reason: str) -> None:
        """Record a step that was planned but not run (e.g. the run was asked to stop first)."""
        t = RunStep.__table__
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(t.delete().where((t.c.run_id == self.id) & (t.c.name == name)))
            conn.execute(
                t.insert().values(
                    run_id=self.id, name=name, status="skipped", started_at=now, finished_at=now,
                    counts={}, warnings=[reason],
                )
            )

    def steps(self) -> dict[str, str]:
        """{step name: status} as stored, in the order the steps started."""
        t = RunStep.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.name, t.c.status).where(t.c.run_id == self.id).order_by(t.c.id)
            ).all()
        return {n: s for n, s in rows}


def _log_exception(step: str, exc: BaseException) -> None:
    import logging

    log = logging.getLogger("sourcing.runs")
    if getattr(exc, "brief", False):  # a failure that explains itself (a missing stage ...)
        log.error("step %s failed: %s", step, exc)
    else:
        log.error("step %s failed: %s\n%s", step, exc, "".join(traceback.format_exception(exc)[-3:]))


def _jsonable(value):
    """Counts go into a JSON column: make dates, sets and the like plain."""
    import json

    return json.loads(json.dumps(value, default=str))


# --- who owns a run -------------------------------------------------------------------------


def _proc_start(pid: int) -> Optional[str]:
    """The process's start time in clock ticks since boot (Linux), so a reused pid is not mistaken
    for the run's own process; None where /proc is not available."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_marker() -> dict:
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "start": _proc_start(pid)}


def _alive(marker: dict) -> bool:
    pid = marker.get("pid")
    if not isinstance(pid, int):
        return True  # cannot tell: assume alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    start = marker.get("start")
    return start is None or _proc_start(pid) in (None, start)


def reap_dead_runs(engine: Engine) -> list[int]:
    """Mark `interrupted` every run still `running` whose process (on this host) is gone — a run
    killed by SIGKILL, an OOM kill or a power cut. Runs owned by another host are left alone."""
    t, st = Run.__table__, RunStep.__table__
    host = socket.gethostname()
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.counts).where(t.c.status == "running")).all()
    dead = []
    for run_id, counts in rows:
        marker = (counts or {}).get("_process") or {}
        if marker.get("host") == host and not _alive(marker):
            dead.append((run_id, marker.get("pid")))
    now = _now()
    for run_id, pid in dead:
        with engine.begin() as conn:
            conn.execute(
                update(t)
                .where((t.c.id == run_id) & (t.c.status == "running"))
                .values(
                    status="interrupted",
                    finished_at=now,
                    error=f"its process (pid {pid}) ended without finishing the run (killed?)",
                )
            )
            conn.execute(
                update(st)
                .where((st.c.run_id == run_id) & (st.c.status == "running"))
                .values(status="interrupted", finished_at=now, error="the process ended during this step")
            )
    return [r for r, _ in dead]


# --- the run --------------------------------------------------------------------------------


@contextmanager
def record_run(
    engine: Engine, kind: str = "run", trigger: str = "cli", *, resume: Optional[int] = None
) -> Iterator[RunRecorder]:
    """Open a Run; on exit it is `ok`, `partial` (some step failed), `failed` or `interrupted`.

    `resume`: reopen that (interrupted) run instead of starting a new one; its steps already `ok`
    stay as they are and `recorder.steps()` shows them, so the caller can skip them."""
    t = Run.__table__
    marker = process_marker()
    with engine.begin() as conn:
        if resume is None:
            run_id = conn.execute(
                t.insert().values(
                    kind=kind, trigger=trigger, status="running", started_at=_now(),
                    counts={"_process": marker},
                )
            ).inserted_primary_key[0]
            counts: dict = {}
        else:
            run_id = resume
            old = conn.execute(select(t.c.counts).where(t.c.id == run_id)).scalar_one_or_none() or {}
            counts = {k: v for k, v in old.items() if k != "_process"}
            conn.execute(
                update(t)
                .where(t.c.id == run_id)
                .values(status="running", finished_at=None, error=None, counts={**counts, "_process": marker})
            )
    rec = RunRecorder(engine, run_id)
    rec.counts = counts
    status, error = "ok", None
    try:
        yield rec
        if rec.failed:
            status = "partial"
        if rec.status:
            status = rec.status
        error = rec.error
    except KeyboardInterrupt as exc:
        status = "interrupted"
        error = "stopped on request" if isinstance(exc, StopRequested) else "interrupted"
        raise
    except BaseException as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == run_id)
                .values(
                    status=status,
                    finished_at=_now(),
                    error=error,
                    counts=_jsonable({**rec.counts, "_process": marker}),
                )
            )


# --- one at a time --------------------------------------------------------------------------


class LockBusy(RuntimeError):
    """Someone else holds the lock; the message says who, when that is known."""


@contextmanager
def db_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold the `name` lock of this database (e.g. "daemon", "run") or raise LockBusy at once.

    SQLite: an OS file lock (flock) on `<database>.<name>.lock` next to the database file; the
    kernel drops it when the process dies, even by SIGKILL, so a crash never leaves a stale lock
    (it does not protect a database on a network file system shared between hosts).
    PostgreSQL: a session-level advisory lock held on a dedicated connection for as long as the
    lock is held; the server drops it when that connection ends, and it works across hosts.
    Other databases: a file lock in the temporary directory, keyed by the URL (this host only).
    """
    url = engine.url
    backend = url.get_backend_name()
    if backend == "postgresql":
        with _pg_lock(engine, name):
            yield
        return
    if backend == "sqlite":
        db = url.database
        if not db or db == ":memory:" or db.startswith("file:"):
            yield  # a private in-memory database: nobody else can reach it
            return
        path = f"{os.path.abspath(os.path.expanduser(db))}.{name}.lock"
        where = os.path.abspath(db)
    else:
        import hashlib
        import tempfile

        digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
        path = os.path.join(tempfile.gettempdir(), f"sourcing-{digest}.{name}.lock")
        where = url.render_as_string(hide_password=True)
    with _file_lock(path, name, where):
        yield


@contextmanager
def _file_lock(path: str, name: str, where: str) -> Iterator[None]:
    import fcntl
    import json

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
            except ValueError:
                holder = {}
            who = (
                f" (pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')})"
                if holder
                else ""
            )
            raise LockBusy(f"another sourcing {name} is already running on {where}{who}; lock file {path}") from None
        info = {**process_marker(), "since": _now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_PG_CLASS = 0x736F7572  # "sour": the first key of every sourcing advisory lock


@contextmanager
def _pg_lock(engine: Engine, name: str) -> Iterator[None]:
    import zlib

    from sqlalchemy import text

    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    conn = engine.connect()
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": _PG_CLASS, "b": key}).scalar()
        if not got:
            pid = conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND classid = :a AND objid = :b AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"a": _PG_CLASS, "b": key},
            ).scalar()
            conn.rollback()
            raise LockBusy(
                f"another sourcing {name} is already running on database "
                f"{engine.url.database} (it holds advisory lock ({_PG_CLASS}, {key}); server backend pid {pid})"
            )
        conn.commit()  # the lock is session-level: it outlives this transaction
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _PG_CLASS, "b": key})
                conn.commit()
            except Exception:  # noqa: BLE001 — closing the connection drops it anyway
                pass
    finally:
        conn.close()
