"""`sourcing export`: a saved search's latest list or everyone with a status, as a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

ORDER = 54


def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE.csv", help="Where to write the CSV."),
    search: Optional[str] = typer.Option(None, "--search", metavar="NAME", help="A saved search: its latest list."),
    status: Optional[str] = typer.Option(None, "--status", help="Everyone with this review status, e.g. shortlisted."),
    bom: bool = typer.Option(False, "--bom", help="Start with a UTF-8 byte-order mark (for Excel)."),
) -> None:
    """Write a shortlist CSV (a saved search's list, or everyone with a status).

    Stable columns: full_name, first_name, last_name, github, homepage, public_email, location,
    company, role, role_score, top_skills, evidence, status, notes, person_id. Cells that a
    spreadsheet could run as formulas are neutralised; the file is written atomically. With
    --search and --status together: that list's people with that status.

    Example: sourcing export --status shortlisted --out shortlist.csv --bom
    """
    from sourcing.cli import console, err_console, fail, state
    from sourcing.config import ConfigError
    from sourcing.export import write_csv
    from sourcing.leads import find_leads, latest_list, list_info
    from sourcing.review import STATUSES

    if not search and not status:
        fail("say what to export: --search NAME or --status STATUS", code=2)
    if status is not None and status not in STATUSES:
        fail(f"unknown status '{status}' (one of {', '.join(STATUSES)})", code=2)
    if out.is_dir():
        fail(f"{out} is a directory: give a file name", code=2)
    if not out.parent.exists():
        fail(f"directory {out.parent} does not exist", code=2)
    st = state(ctx)
    engine = st.engine()
    if search:
        try:
            saved = st.config.search(search)
        except ConfigError as exc:
            if list_info(engine, search) is None:
                fail(str(exc), code=2)
            saved = None  # a list stored under a search since removed from the config
        if list_info(engine, search) is not None:
            rows = latest_list(engine, search, status=status)
        else:
            err_console.print(f"no stored list for '{search}' yet: ranked now")
            rows = find_leads(engine, saved, taxonomy=st.config.load_taxonomy(), status=status)
        what = f"'{search}'" + (f" ({status})" if status else "")
    else:
        rows = {"status": status}
        what = f"everyone {status}"
    try:
        n = write_csv(engine, rows, out, bom=bom, taxonomy=st.config.load_taxonomy())
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}", code=1)
    console.print(f"wrote {n} {'person' if n == 1 else 'people'} ({what}) to {out}")


def register(app: typer.Typer) -> None:
    app.command()(export)
