"""The nightly run as named steps — github, arxiv, talks, resolve, score, leads — recorded as one Run.

Each step is a named callable `fn(ctx, rec)`; a failing step is recorded (status, error) and the
next one still runs, so one broken source never costs the morning its lead list. The stages are
idempotent upserts with cursors, so a run killed half-way and run again (or resumed with
`resume=`) finishes without duplicates. Stages are imported lazily, inside their step: a missing
stage fails its own step with a clear error and nothing else.
"""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

from sourcing.config import Config
from sourcing.runs import RunRecorder, StepRecord, StopRequested, db_lock, reap_dead_runs, record_run
from storage.models import Run

log = logging.getLogger("sourcing.pipeline")

STEP_NAMES = ("github", "arxiv", "talks", "resolve", "score", "index", "leads")
COLLECT_STEPS = ("github", "arxiv", "talks")

# exit codes of `sourcing run` (2 stays "bad input", as everywhere in the CLI)
EXIT_CODES = {"ok": 0, "partial": 1, "failed": 3, "interrupted": 130}
EXIT_BUSY = 4


class StageMissing(RuntimeError):
    """A stage's module or entry point is not there: its step fails with this message."""

    brief = True  # the message says it all: no traceback in the log


class StageFailed(RuntimeError):
    """A stage ran but reported that it failed as a whole."""

    brief = True


@dataclass
class StepContext:
    """What a step function gets besides its StepRecord."""

    engine: Engine
    config: Config
    run_id: int
    trigger: str
    stop: threading.Event
    interruptible: bool = False
    recorder: Optional[RunRecorder] = None  # stages may record sub-steps (per category, per query)

    @property
    def db_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    def progress(self, *args: Any, **kwargs: Any) -> None:
        """Handed to stages as `progress=`: when a stop was requested, a collection step stops
        here (its stage reports progress between units of work; what it stored is committed with
        its cursor, so the next run resumes there). Resolve/score/leads always finish."""
        if self.interruptible and self.stop.is_set():
            raise StopRequested()
        if args or kwargs:
            log.debug("progress: %s %s", args, kwargs)


@dataclass
class Step:
    name: str
    fn: Callable[[StepContext, StepRecord], None]
    interruptible: bool = False  # may stop at its next progress report when a stop is requested


@dataclass
class RunResult:
    run_id: int
    status: str  # ok | partial | failed | interrupted
    steps: dict[str, str] = field(default_factory=dict)  # step -> ok | failed | skipped | interrupted

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.status, 1)


# --- the real steps -------------------------------------------------------------------------


def _entry(module: str, attr: str, what: str) -> Callable:
    """A stage's entry point, or StageMissing saying which one is absent."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise StageMissing(f"{what} is not installed: module {module} not found") from None
        raise
    fn = getattr(mod, attr, None)
    if fn is None:
        raise StageMissing(f"{what} is not available: {module} has no {attr}()")
    return fn


MAX_WARNINGS = 50


def _warn_all(rec: StepRecord, messages: Iterable[str]) -> None:
    messages = [str(m) for m in messages]
    for m in messages[:MAX_WARNINGS]:
        rec.warn(m)
    if len(messages) > MAX_WARNINGS:
        rec.warn(f"... and {len(messages) - MAX_WARNINGS} more")


def _record_stats(rec: StepRecord, stats: Any) -> None:
    """A collector's Stats -> counts and warnings. A source whose every partition was abandoned
    and that stored nothing has failed (network down, bad token), not merely warned."""
    problems = list(getattr(stats, "problems", []) or [])
    rec.counts = {
        "records": getattr(stats, "records", 0),
        "checkpoints": getattr(stats, "checkpoints", 0),
        **dict(getattr(stats, "stored", {}) or {}),
    }
    # what the crawl cost (HTTP requests, rate budget ...), when the collector says
    extra = dict(getattr(stats, "extra", None) or {})
    for k in ("requests", "seconds"):
        if isinstance(getattr(stats, k, None), (int, float)):
            extra.setdefault(k, getattr(stats, k))
    for k, v in extra.items():
        if isinstance(v, (int, float, bool)) and k not in rec.counts:
            rec.counts[k] = round(v, 1) if isinstance(v, float) else v
    new = getattr(stats, "new", None)
    if isinstance(new, dict) and new:
        rec.counts["new"] = dict(new)
    _warn_all(rec, (f"{p.where}: {p.message}" for p in problems))
    fatal = [p for p in problems if getattr(p, "fatal", False)]
    if fatal and len(fatal) == len(problems) and not rec.counts["records"]:
        raise StageFailed(f"nothing collected; {len(fatal)} partition(s) abandoned, first: {fatal[0].where}: {fatal[0].message}")


def _record_dict(rec: StepRecord, result: Any) -> None:
    if isinstance(result, dict):
        warnings = result.get("warnings") or []
        rec.counts = {k: v for k, v in result.items() if k != "warnings"}
        _warn_all(rec, warnings)
    elif result is not None:
        rec.counts = {"result": result}


def step_github(ctx: StepContext, rec: StepRecord) -> None:
    crawl = _entry("sourcing.sources.github", "crawl", "the GitHub collector")
    sub = (lambda name: ctx.recorder.step(name)) if ctx.recorder else None
    _record_stats(rec, crawl(ctx.engine, ctx.config, progress=ctx.progress, steps=sub))


def step_arxiv(ctx: StepContext, rec: StepRecord) -> None:
    crawl = _entry("sourcing.sources.arxiv", "crawl", "the arXiv collector")
    _record_stats(rec, crawl(ctx.engine, ctx.config, progress=ctx.progress, recorder=ctx.recorder))


def step_talks(ctx: StepContext, rec: StepRecord) -> None:
    crawl = _entry("spiders.runner", "crawl", "the talk spiders")
    # Scrapy runs in a child process; a stop request reaches it through `progress` (the runner
    # then stops the child as Ctrl-C would, keeping its job state for the next run)
    result = crawl(ctx.config, ctx.db_url, child=True, progress=ctx.progress) or {}
    totals = result.get("totals") or {}
    rec.counts = {"pages": result.get("pages", 0), **(totals if isinstance(totals, dict) else {}),
                  "seconds": result.get("elapsed")}
    errors = [str(e) for e in result.get("errors") or []]
    _warn_all(rec, errors + [str(w) for w in result.get("warnings") or []])
    status = result.get("status", "ok")
    if status == "failed":
        raise StageFailed(f"talk crawl failed: {'; '.join(errors[:3]) or 'no detail'}")


def step_resolve(ctx: StepContext, rec: StepRecord) -> None:
    resolve = _entry("sourcing.identity", "resolve", "identity resolution")
    _record_dict(rec, resolve(ctx.engine, full=False, progress=ctx.progress))


def step_score(ctx: StepContext, rec: StepRecord) -> None:
    score = _entry("scoring", "score", "scoring")
    taxonomy = ctx.config.load_taxonomy() if ctx.config.taxonomy else None
    _record_dict(rec, score(ctx.engine, taxonomy=taxonomy, run_id=ctx.run_id, progress=ctx.progress))


def step_index(ctx: StepContext, rec: StepRecord) -> None:
    # the work text index behind role fit, updated incrementally from what was just stored
    reindex = _entry("sourcing.fit", "reindex", "the work text index")
    _record_dict(rec, reindex(ctx.engine))


def step_leads(ctx: StepContext, rec: StepRecord) -> None:
    build = _entry("sourcing.leads", "build_lead_lists", "the lead-list builder")
    if not ctx.config.searches:
        rec.warn("no saved searches in the config: no lead list to build")
    _record_dict(rec, build(ctx.engine, ctx.config, run_id=ctx.run_id))


def default_steps() -> list[Step]:
    return [
        Step("github", step_github, interruptible=True),
        Step("arxiv", step_arxiv, interruptible=True),
        Step("talks", step_talks, interruptible=True),
        Step("resolve", step_resolve),
        Step("score", step_score),
        Step("index", step_index),
        Step("leads", step_leads),
    ]


# --- running them ---------------------------------------------------------------------------


def select_steps(steps: Sequence[Step], only: Optional[Iterable[str]] = None, skip: Optional[Iterable[str]] = None) -> list[Step]:
    """The steps to run, in pipeline order. Unknown names raise ValueError naming the known ones."""
    known = [s.name for s in steps]
    only, skip = list(only or []), list(skip or [])
    for name in only + skip:
        if name not in known:
            raise ValueError(f"unknown step '{name}' (steps: {', '.join(known)})")
    chosen = [s for s in steps if (not only or s.name in only) and s.name not in skip]
    if not chosen:
        raise ValueError("no step left to run (check --only/--skip)")
    return chosen


def last_interrupted_run(engine: Engine, kind: str = "run") -> Optional[int]:
    """The newest run of `kind` if it was interrupted (killed, stopped), else None."""
    reap_dead_runs(engine)
    t = Run.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(t.c.id, t.c.status).where(t.c.kind == kind).order_by(t.c.id.desc()).limit(1)
        ).first()
    return row[0] if row and row[1] == "interrupted" else None


def run_pipeline(
    engine: Engine,
    config: Config,
    *,
    steps: Optional[Sequence[Step]] = None,
    only: Optional[Iterable[str]] = None,
    skip: Optional[Iterable[str]] = None,
    trigger: str = "cli",
    kind: str = "run",
    stop: Optional[threading.Event] = None,
    resume: Optional[int] = None,
    on_step: Optional[Callable[[str, Optional[StepRecord], float], None]] = None,
) -> RunResult:
    """Run the steps as one recorded Run and return its outcome (never raises for a failing step).

    `resume`: continue that interrupted run — same Run id, its steps already `ok` are not run again.
    `stop`: when set (by a signal handler), the current step finishes (a collection step stops at
    its next progress report), the rest are recorded as skipped and the run ends `interrupted`.
    `on_step(name, None, 0)` is called before a step, `on_step(name, rec, seconds)` after it.
    Raises LockBusy when another run holds this database's run lock.
    """
    all_steps = list(steps) if steps is not None else default_steps()
    stop = stop or threading.Event()
    reap_dead_runs(engine)
    plan_names: Optional[list[str]] = None
    if resume is not None and not only and not skip:
        with engine.connect() as conn:
            counts = conn.execute(select(Run.__table__.c.counts).where(Run.__table__.c.id == resume)).scalar_one_or_none()
        plan_names = (counts or {}).get("plan")
    chosen = select_steps(all_steps, only=plan_names or only, skip=None if plan_names else skip)
    if resume is not None:
        status = _run_status(engine, resume)
        if status is None:
            raise ValueError(f"there is no run {resume}")
        if status in ("running", "ok"):
            raise ValueError(f"run {resume} is {status}: only an interrupted, partial or failed run can be resumed")

    with db_lock(engine, "run"), record_run(engine, kind, trigger, resume=resume) as rec:
        rec.counts["plan"] = [s.name for s in chosen]
        # a resumed run skips the steps that were already ok *before* the first one that was not:
        # what follows a re-run step depends on it (resolve after collect, score after resolve ...)
        done: set[str] = set()
        if resume is not None:
            before = rec.steps()
            for s in chosen:
                if before.get(s.name) != "ok":
                    break
                done.add(s.name)
        stopped_at: Optional[str] = None
        for step in chosen:
            if step.name in done:
                log.info("step %s: already done in run %s", step.name, rec.id)
                continue
            if stop.is_set():
                rec.skip(step.name, "not run: the run was asked to stop before this step")
                stopped_at = stopped_at or step.name
                continue
            ctx = StepContext(engine, config, rec.id, trigger, stop, interruptible=step.interruptible, recorder=rec)
            log.info("step %s: started (run %s)", step.name, rec.id)
            if on_step:
                on_step(step.name, None, 0.0)
            t0 = time.monotonic()
            srec: Optional[StepRecord] = None
            try:
                with rec.step(step.name) as srec:
                    step.fn(ctx, srec)
            except StopRequested:
                stopped_at = stopped_at or step.name
            took = time.monotonic() - t0
            log.info("step %s: %s in %.1fs %s", step.name, srec.status, took, _brief(srec.counts))
            if on_step:
                on_step(step.name, srec, took)
        statuses = rec.steps()
        planned = [statuses.get(s.name) for s in chosen]
        if stopped_at:
            rec.status = "interrupted"
            rec.error = f"stopped on request at step {stopped_at}"
        elif planned and all(s == "failed" for s in planned):
            rec.status = "failed"
            rec.error = "every step failed"
        elif rec.failed:
            rec.error = f"failed: {', '.join(rec.failed)}"
    final = _run_status(engine, rec.id)
    result = RunResult(rec.id, final, {s.name: statuses.get(s.name, "?") for s in chosen})
    log.info("run %s: %s %s", rec.id, final, result.steps)
    return result


def _run_status(engine: Engine, run_id: int) -> Optional[str]:
    t = Run.__table__
    with engine.connect() as conn:
        return conn.execute(select(t.c.status).where(t.c.id == run_id)).scalar_one_or_none()


def _brief(counts: dict, limit: int = 6) -> str:
    items = [f"{k}={v}" for k, v in counts.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return " ".join(items[:limit])


# --- stopping politely ----------------------------------------------------------------------


@contextmanager
def graceful_stop(
    stop: threading.Event, on_first: Optional[Callable[[int], None]] = None, *, hard_exit: bool = False
) -> Iterator[threading.Event]:
    """SIGTERM/SIGINT set `stop` (the current step finishes, then the run ends); a second one stops
    at once: KeyboardInterrupt in the main thread, or `os._exit(130)` with `hard_exit` (the daemon,
    whose run is in a worker thread). Only installs handlers in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, _frame):
        name = signal.Signals(signum).name
        if stop.is_set():
            log.warning("%s again: stopping now", name)
            if hard_exit:
                import os

                logging.shutdown()
                os._exit(130)
            raise KeyboardInterrupt
        stop.set()
        log.warning("%s: finishing the current step, then stopping (send it again to stop now)", name)
        if on_first:
            on_first(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)
