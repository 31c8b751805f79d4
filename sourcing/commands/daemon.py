"""`sourcing daemon`: run the pipeline on the configured schedule until stopped."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

ORDER = 72


def daemon(
    ctx: typer.Context,
    log_file: Optional[Path] = typer.Option(
        None, "--log-file", metavar="PATH",
        help="Rotating log file (10 MB x 5), besides stdout. Default: sourcing-daemon.log next to a SQLite database, else here.",
    ),
    every: Optional[float] = typer.Option(
        None, "--every", metavar="SECONDS", min=0.5,
        help="Instead of the configured schedule, run the pipeline every SECONDS (for trying it out and tests).",
    ),
    only: Optional[List[str]] = typer.Option(None, "--only", metavar="STEP", help="Scheduled runs run only this step (repeatable)."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", metavar="STEP", help="Scheduled runs leave this step out (repeatable)."),
    no_resume: bool = typer.Option(False, "--no-resume", help="Do not resume a run the last daemon left interrupted."),
    show: bool = typer.Option(False, "--show", help="Print the jobs and their next run times, then exit."),
) -> None:
    """Run the pipeline on the config's schedule (nightly at HH:MM in a time zone; optionally collection every N hours).

    Jobs are stored in the database, so a run missed while the daemon was down is made once when it comes back (within schedule.misfire_grace_seconds), and a run it was killed in is resumed. Only one daemon may serve a database: a second one refuses to start (exit code 4). SIGTERM or Ctrl-C lets the current step finish, then exits 0; a second one stops at once.

    Example: sourcing daemon --log-file /var/log/sourcing/daemon.log
    """
    from sourcing.cli import console, fail, state

    st = state(ctx)
    config, engine = st.config, st.engine()
    from sourcing.daemon import DaemonError, job_specs, serve

    if show:
        from datetime import datetime, timezone

        try:
            specs = job_specs(config, every=every)
        except DaemonError as exc:
            fail(str(exc), code=2)
        now = datetime.now(timezone.utc)
        for s in specs:
            nxt = s.trigger.get_next_fire_time(None, now)
            console.print(f"[bold]{s.id}[/]: {s.key}; next run {nxt.isoformat(timespec='minutes') if nxt else 'never'}")
        console.print(f"misfire grace: {config.schedule.misfire_grace_seconds}s; coalesce: yes; one instance at a time")
        return
    code = serve(engine, config, only=only, skip=skip, every=every, log_file=log_file, resume_interrupted=not no_resume)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("daemon")(daemon)
