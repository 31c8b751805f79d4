"""Run records: every command that changes data records a Run with named steps, counts and errors.

Steps are written as they start and end (each in its own short transaction), so a run killed
half-way still shows which step it was in, and `sourcing runs` can tell an operator what broke.
"""

from __future__ import annotations

import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, Optional

from sqlalchemy import update
from sqlalchemy.engine import Engine

from storage.models import Run, RunStep


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class StepRecord:
    """What a step reports: counts (shown in run history) and warnings (non-fatal problems)."""

    name: str
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    status: str = "ok"

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class RunRecorder:
    def __init__(self, engine: Engine, run_id: int):
        self.engine = engine
        self.id = run_id
        self.failed: list[str] = []

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
        except KeyboardInterrupt:
            rec.status, error = "interrupted", "interrupted"
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
                        counts=rec.counts,
                        warnings=rec.warnings or None,
                        error=error,
                    )
                )
            if rec.status == "failed" and name not in self.failed:
                self.failed.append(name)


def _log_exception(step: str, exc: BaseException) -> None:
    import logging

    logging.getLogger("sourcing.runs").error(
        "step %s failed: %s\n%s", step, exc, "".join(traceback.format_exception(exc)[-3:])
    )


@contextmanager
def record_run(engine: Engine, kind: str = "run", trigger: str = "cli") -> Iterator[RunRecorder]:
    """Open a Run; on exit it is `ok`, `partial` (some step failed), `failed` or `interrupted`."""
    t = Run.__table__
    with engine.begin() as conn:
        run_id = conn.execute(
            t.insert().values(kind=kind, trigger=trigger, status="running", started_at=_now())
        ).inserted_primary_key[0]
    rec = RunRecorder(engine, run_id)
    status, error = "ok", None
    try:
        yield rec
        if rec.failed:
            status = "partial"
    except KeyboardInterrupt:
        status, error = "interrupted", "interrupted"
        raise
    except BaseException as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with engine.begin() as conn:
            conn.execute(
                update(t).where(t.c.id == run_id).values(status=status, finished_at=_now(), error=error)
            )
