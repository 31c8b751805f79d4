"""Migrations: an empty or older database is upgraded; a newer one is refused with a clear message."""

import sqlite3

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import SchemaTooNew, ensure_schema, make_engine, schema_status
from storage.schema import alembic_config, head_revision


def test_empty_database_gets_every_table(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert ensure_schema(eng) == head_revision()
    assert set(SQLModel.metadata.tables) <= set(inspect(eng).get_table_names())
    status = schema_status(eng)
    assert status["schema_version"] == head_revision()
    assert status["tables"]["identity"] == 0


def test_every_revision_upgrades_to_head(tmp_path):
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    for rev in revisions:
        url = f"sqlite:///{tmp_path / f'{rev}.db'}"
        eng = make_engine(url)
        cfg = alembic_config()
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, rev)
        ensure_schema(eng)
        assert schema_status(eng)["schema_version"] == head_revision()
        assert set(SQLModel.metadata.tables) <= set(inspect(eng).get_table_names())


def test_schema_matches_the_models(engine):
    """No model change without a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # FTS5 and other virtual/extra tables created by migrations are not in the models
    diff = [d for d in diff if not (d[0] == "remove_table")]
    assert diff == []


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    eng = make_engine(f"sqlite:///{path}")
    ensure_schema(eng)
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    with pytest.raises(SchemaTooNew, match="newer sourcing"):
        ensure_schema(make_engine(f"sqlite:///{path}"))


def test_sqlite_pragmas(engine):
    with engine.connect() as conn:
        q = lambda p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()  # noqa: E731
        assert q("journal_mode") == "wal"
        assert q("foreign_keys") == 1
        assert q("busy_timeout") >= 5000
        assert q("synchronous") == 1  # NORMAL
