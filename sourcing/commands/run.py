"""`sourcing run`: the whole nightly pipeline once, now, in the foreground, recorded as a Run."""

from __future__ import annotations

from typing import List, Optional

import typer

ORDER = 70


def run(
    ctx: typer.Context,
    only: Optional[List[str]] = typer.Option(
        None, "--only", metavar="STEP", help="Run only this step (repeatable): github, arxiv, talks, resolve, score, leads."
    ),
    skip: Optional[List[str]] = typer.Option(None, "--skip", metavar="STEP", help="Leave this step out (repeatable)."),
    resume: Optional[str] = typer.Option(
        None,
        "--resume",
        metavar="ID|last",
        help="Continue an interrupted (or partial) run: same run, its leading steps already done are not run again.",
    ),
) -> None:
    """Collect (GitHub, arXiv, talks), resolve identities, score and build the lead lists, as one run.

    A failing step is recorded and the next one still runs. Exit code: 0 every step ok, 1 some step failed (partial), 3 every step failed, 4 another run holds the database, 130 interrupted.

    Ctrl-C once finishes the current step (a collection step stops at its next checkpoint) and stops; twice stops at once. `sourcing runs show last` tells what each step did.

    Example: sourcing run --skip talks
    """
    from sourcing.cli import console, err_console, fail, state
    from sourcing.pipeline import EXIT_BUSY, graceful_stop, last_interrupted_run, run_pipeline
    from sourcing.runs import LockBusy

    st = state(ctx)
    config, engine = st.config, st.engine()
    _console_logging()
    resume_id: Optional[int] = None
    if resume is not None:
        if resume == "last":
            resume_id = last_interrupted_run(engine)
            if resume_id is None:
                fail("the last run was not interrupted: nothing to resume", code=2)
        elif resume.isdigit():
            resume_id = int(resume)
        else:
            fail(f"--resume takes a run id or 'last', not '{resume}'", code=2)

    on_step = step_printer(console)

    import threading

    stop = threading.Event()
    try:
        with graceful_stop(stop):
            result = run_pipeline(
                engine, config, only=only, skip=skip, trigger="cli", stop=stop, resume=resume_id, on_step=on_step
            )
    except ValueError as exc:
        fail(str(exc), code=2)
    except LockBusy as exc:
        fail(str(exc), code=EXIT_BUSY)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]: `sourcing run --resume last` continues where it stopped")
        raise typer.Exit(130)
    failed = [n for n, s in result.steps.items() if s == "failed"]
    colour = {"ok": "green", "partial": "yellow"}.get(result.status, "red")
    msg = f"run {result.run_id}: [{colour}]{result.status}[/]"
    if failed:
        msg += f" ({len(failed)} of {len(result.steps)} steps failed: {', '.join(failed)})"
    if result.status != "ok":
        msg += f" — details: sourcing runs show {result.run_id}"
    console.print(msg, highlight=False)
    raise typer.Exit(result.exit_code)


def step_printer(console):
    """An `on_step` callback for run_pipeline that prints one line per step as it ends."""

    def on_step(name: str, rec, took: float) -> None:
        if rec is None:
            console.print(f"[dim]{name} …[/]")
            return
        colour = {"ok": "green", "failed": "red"}.get(rec.status, "yellow")
        counts = " ".join(
            [f"{k}={v}" for k, v in rec.counts.items() if isinstance(v, (int, float)) and not isinstance(v, bool)][:6]
        )
        line = f"[{colour}]{rec.status:<11}[/] [bold]{name:<8}[/] {took:7.1f}s  {counts}"
        if rec.warnings:
            line += f"  [yellow]{len(rec.warnings)} warning(s)[/]"
        console.print(line, highlight=False)

    return on_step


def _console_logging() -> None:
    """Stages' warnings and errors go to stderr; the step lines above say the rest."""
    import logging

    from rich.logging import RichHandler

    from sourcing.cli import err_console

    root = logging.getLogger()
    if not any(isinstance(h, RichHandler) for h in root.handlers):
        h = RichHandler(console=err_console, show_path=False, show_time=False)
        h.setLevel(logging.WARNING)
        root.addHandler(h)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
