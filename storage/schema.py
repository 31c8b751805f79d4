"""Schema versions: upgrade an older database automatically, refuse one newer than the code."""

from __future__ import annotations

from pathlib import Path

import re
from functools import lru_cache

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of sourcing."""


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0] if len(heads) == 1 else ",".join(sorted(heads))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


@lru_cache(maxsize=1)
def _head_from_files() -> str | None:
    """The head revision read straight from the migration files (no Alembic import): every
    command checks the schema, and importing Alembic would add a tenth of a second to each."""
    revs, downs = set(), set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        src = f.read_text(encoding="utf-8")
        rev = re.search(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", src, re.M)
        down = re.search(r"^down_revision\b[^=]*=\s*['\"]([^'\"]+)['\"]", src, re.M)
        if rev:
            revs.add(rev.group(1))
        if down:
            downs.add(down.group(1))
    heads = revs - downs
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # noqa: BLE001 — no table yet: a new database
        return None
    return rows[0][0] if len(rows) == 1 else None


def ensure_schema(engine: Engine) -> str:
    """Bring the database to the code's schema; return the revision it is at."""
    fast = _head_from_files()
    if fast is not None and _stored_revision(engine) == fast:
        return fast
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    current = current_revision(engine)
    if current:
        unknown = [r for r in current.split(",") if r not in known]
        if unknown:
            raise SchemaTooNew(
                f"the database is at schema revision {', '.join(unknown)}, which this version of "
                f"sourcing does not know (newest known: {head_revision()}). It was written by a newer "
                "sourcing: upgrade sourcing, or point --db at another database."
            )
    if current != head_revision():
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return head_revision()


def schema_status(engine: Engine) -> dict:
    """Schema revision and the row count of every table of the data model."""
    tables: dict[str, int] = {}
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for name in sorted(SQLModel.metadata.tables):
            if name in existing:
                tables[name] = conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
    return {"schema_version": current_revision(engine), "tables": tables}
