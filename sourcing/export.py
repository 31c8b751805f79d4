"""CSV shortlists for an ATS or a hiring manager: stable columns, safe cells, atomic files.

Columns (stable; new ones only ever go at the end):

    full_name     the name people show publicly
    first_name    everything before the last word of the name ("Last, First" is understood)
    last_name     the last word of the name (empty for a one-word name)
    github        https://github.com/<login>
    homepage      their homepage or blog
    public_email  a public email (GitHub noreply addresses are left out)
    location      as they state it
    company       as they state it
    role          the role the score is for (the search's role, else their strongest role)
    role_score    0-100
    top_skills    "Airflow 82; Kafka 75; Spark 60"
    evidence      the strongest evidence lines with links: "34 merged PRs to apache/airflow <url> | ..."
    status        new | shortlisted | contacted | rejected | hired
    notes         the sourcers' notes, one dated line each
    person_id     sourcing's id for the person

Public names and bios are attacker-controlled: any cell that starts with = + - @, a tab or a
carriage return (also after leading spaces) gets a leading apostrophe, so a spreadsheet shows
it as text instead of running it as a formula (OWASP "CSV injection"). Files are UTF-8 (with a
BOM for Excel on request), written to a temporary file beside the target and renamed over it,
so a crash never leaves half a file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from storage.models import Person, Review, Score

COLUMNS = (
    "full_name",
    "first_name",
    "last_name",
    "github",
    "homepage",
    "public_email",
    "location",
    "company",
    "role",
    "role_score",
    "top_skills",
    "evidence",
    "status",
    "notes",
    "person_id",
)
EVIDENCE_LINES = 3
_DANGER = frozenset("=+-@\t\r")
_NUMERIC = ("role_score", "person_id")  # our own non-negative ints: checked by type, not text
_SUSPECT = re.compile(r"[=+\-@\t\r ]")  # a first character that needs a closer look


def _getter(keys) -> Any:
    """A function returning the values at `keys` as a tuple (itemgetter, at any length)."""
    idx = list(keys)
    if len(idx) > 1:
        return itemgetter(*idx)
    if len(idx) == 1:
        return lambda v: (v[idx[0]],)
    return lambda v: ()

_S = Score.__table__
_P = Person.__table__
_R = Review.__table__


def neutralise(value: Any) -> str:
    """A cell as text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    s = value if type(value) is str else str(value)
    if s and (s[0] in _DANGER or (s[0] == " " and s.lstrip(" ")[:1] in _DANGER)):
        return "'" + s
    return s


def split_name(name: Optional[str]) -> tuple[str, str]:
    """(first, last): the last word is the last name; "Last, First" is turned around."""
    name = " ".join((name or "").split())
    if not name:
        return "", ""
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if first and last:
            return first, last
    if " " not in name:
        return name, ""
    first, last = name.rsplit(" ", 1)
    return first, last


def _public_email(email: Optional[str]) -> str:
    if not email or email.lower().endswith("users.noreply.github.com"):
        return ""
    return email


# --- rows from the database -----------------------------------------------------------------


def _chunks(values: list, n: int = 500):
    for i in range(0, len(values), n):
        yield values[i : i + n]


def _people_rows(conn: Connection, person_ids: list[int]) -> dict[int, Any]:
    out = {}
    for chunk in _chunks(person_ids):
        q = (
            select(_P, _R.c.status, _R.c.note)
            .select_from(_P.outerjoin(_R, _R.c.person_id == _P.c.id))
            .where(_P.c.id.in_(chunk))
        )
        out.update({r.id: r for r in conn.execute(q)})
    return out


def _scores(conn: Connection, person_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    for chunk in _chunks(person_ids):
        for r in conn.execute(
            select(_S.c.id, _S.c.person_id, _S.c.dimension, _S.c.name, _S.c.value).where(
                _S.c.person_id.in_(chunk), _S.c.dimension.in_(("skill", "role"))
            )
        ):
            out.setdefault(r.person_id, []).append(r)
    return out


def export_rows(engine: Engine, rows_or_query: Any, *, taxonomy=None) -> list[dict]:
    """Rows with the CSV's columns for: lead dicts (from find_leads / latest_list, in order),
    person ids, or a query {"status": "shortlisted"} / {"search": "<saved search>"} (its latest
    stored list). Forgotten people are simply absent."""
    from sourcing.leads import evidence_lines, latest_list
    from sourcing.review import list_reviews

    if isinstance(rows_or_query, Mapping) and ("status" in rows_or_query or "search" in rows_or_query):
        if rows_or_query.get("search"):
            leads: list = latest_list(engine, rows_or_query["search"], status=rows_or_query.get("status"))
        else:
            leads = [r["person_id"] for r in list_reviews(engine, rows_or_query["status"])]
    else:
        leads = list(rows_or_query)
    if taxonomy is None:
        from scoring.taxonomy import load

        taxonomy = load()
    labels = {k: s.label for k, s in taxonomy.skills.items()}
    role_labels = {k: r.label for k, r in taxonomy.roles.items()}
    wanted = [(x if isinstance(x, Mapping) else {"person_id": int(x)}) for x in leads]
    first_lead: dict[int, Mapping] = {}
    for x in wanted:
        first_lead.setdefault(int(x["person_id"]), x)
    pids = list(first_lead)
    out: list[dict] = []
    with engine.connect() as conn:
        people = _people_rows(conn, pids)
        scores = _scores(conn, pids)
        chosen: dict[int, Any] = {}
        for pid in pids:
            lead = first_lead[pid]
            mine = scores.get(pid, [])
            role = lead.get("role")
            roles = [s for s in mine if s.dimension == "role" and (role is None or s.name == role)]
            chosen[pid] = max(roles, key=lambda s: (s.value, s.name), default=None)
        ev = evidence_lines(conn, [s.id for s in chosen.values() if s is not None], per_score=EVIDENCE_LINES)
    for pid in pids:
        p = people.get(pid)
        if p is None:
            continue
        name = p.display_name or p.github_login or ""
        first, last = split_name(name)
        skills = sorted((s for s in scores.get(pid, []) if s.dimension == "skill"), key=lambda s: (-s.value, s.name))
        role_score = chosen.get(pid)
        lines = ev.get(role_score.id, []) if role_score is not None else []
        out.append(
            {
                "full_name": name,
                "first_name": first,
                "last_name": last,
                "github": f"https://github.com/{p.github_login}" if p.github_login else "",
                "homepage": p.homepage or "",
                "public_email": _public_email(p.email),
                "location": p.location or "",
                "company": p.company or "",
                "role": role_labels.get(role_score.name, role_score.name) if role_score is not None else "",
                "role_score": round(role_score.value) if role_score is not None else "",
                "top_skills": "; ".join(f"{labels.get(s.name, s.name)} {round(s.value)}" for s in skills[:5]),
                "evidence": " | ".join(f"{x['text']} <{x['url']}>" if x.get("url") else x["text"] for x in lines),
                "status": p.status or "new",
                "notes": p.note or "",
                "person_id": pid,
            }
        )
    return out


# --- the file ---------------------------------------------------------------------------------


def write_rows(rows: Iterable[Mapping[str, Any]], path: str | os.PathLike, *, bom: bool = False,
               columns: Sequence[str] = COLUMNS) -> int:
    """Write rows (dicts by column) as CSV to `path`, atomically. Returns the number of rows.

    A new file is readable by its owner only (it holds personal data); an existing file keeps
    its permissions.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    getter = _getter(columns)
    text_of = _getter([i for i, c in enumerate(columns) if c not in _NUMERIC])
    numbers_of = _getter([i for i, c in enumerate(columns) if c in _NUMERIC])
    first = itemgetter(slice(0, 1))
    n = 0
    try:
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                try:
                    vals = getter(r)
                except (KeyError, TypeError):
                    vals = tuple(r.get(c) for c in columns)
                # the first characters of all text cells, gathered at C speed; a suspicious one
                # (or a None, or a number that is not a plain int) sends the row cell by cell
                try:
                    safe = not _SUSPECT.search("".join(map(first, text_of(vals)))) and all(
                        type(v) is int or v == "" for v in numbers_of(vals))
                except TypeError:
                    safe = False
                if not safe:
                    vals = [neutralise(v) for v in vals]
                w.writerow(vals)
                n += 1
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)
    return n


def _fsync_dir(directory: Path) -> None:
    # the rename itself survives a power cut only once the directory is synced (POSIX)
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_csv(engine: Engine, rows_or_query: Any, path: str | os.PathLike, *, bom: bool = False, taxonomy=None) -> int:
    """Export lead dicts, person ids or a query ({"status": ...} / {"search": ...}) to a CSV
    file with COLUMNS; returns the number of people written."""
    return write_rows(export_rows(engine, rows_or_query, taxonomy=taxonomy), path, bom=bom)
