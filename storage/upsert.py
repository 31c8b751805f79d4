"""Idempotent bulk writes: `INSERT ... ON CONFLICT (natural key) DO UPDATE` through SQLAlchemy Core.

A second run of the same upsert changes nothing: the update only fires where a value differs,
so untouched rows keep their row version and nothing is rewritten.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import Table, UniqueConstraint, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

CHUNK = 20_000  # rows per executemany: bounds memory, big enough to amortise statement setup
SELECT_CHUNK = 500  # values per IN (...) lookup


def table_of(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


def natural_key(model: Any) -> tuple[str, ...]:
    """The first unique constraint of a table, else its unique column, else its primary key."""
    table = table_of(model)
    for c in table.constraints:
        if isinstance(c, UniqueConstraint) and c.columns:
            return tuple(col.name for col in c.columns)
    for col in table.columns:
        if col.unique:
            return (col.name,)
    pk = tuple(col.name for col in table.primary_key.columns)
    if pk:
        return pk
    raise ValueError(f"table {table.name} has no natural key to upsert on")


def _insert(conn: Connection, table: Table):
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upsert is not implemented for {name}")


def upsert(
    conn: Connection,
    model: Any,
    rows: Iterable[Mapping[str, Any]],
    *,
    key: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
) -> int:
    """Insert `rows` into `model`'s table, updating the row with the same natural key.

    Only the columns present in a row are written; columns absent from it keep their stored
    value. `update` limits which columns an existing row may change (default: all given ones
    except the key). Returns the number of rows sent.
    """
    table = table_of(model)
    key = tuple(key or natural_key(table))
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row.keys()), []).append(row)
    sent = 0
    for cols, group in groups.items():
        unknown = set(cols) - set(table.c.keys())
        if unknown:
            raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
        missing = set(key) - set(cols)
        if missing:
            raise ValueError(f"{table.name}: rows lack natural key columns {sorted(missing)}")
        stmt = _insert(conn, table)
        targets = [c for c in cols if c not in key and c != "id" and (update is None or c in update)]
        if targets:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key),
                set_={c: stmt.excluded[c] for c in targets},
                where=or_(*[table.c[c].is_distinct_from(stmt.excluded[c]) for c in targets]),
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            conn.execute(stmt, list(chunk))
            sent += len(chunk)
    return sent


def key_ids(conn: Connection, model: Any, values: Iterable[Any], *, key: Sequence[str] | None = None) -> dict:
    """Map natural-key values to row ids. Single-column keys map scalars, others tuples.

    Composite keys are looked up as `a = ? AND b IN (...)` groups: SQLite does not drive a
    row-value `(a, b) IN (...)` through the unique index, and scans the table instead.
    """
    table = table_of(model)
    key = tuple(key or natural_key(table))
    wanted = list(dict.fromkeys(values))
    out: dict = {}
    cols = [table.c[k] for k in key]
    groups: dict[tuple, list] = {}
    for v in wanted:
        if len(cols) == 1:
            groups.setdefault((), []).append(v)
        else:
            groups.setdefault(tuple(v[:-1]), []).append(v[-1])
    for prefix, lasts in groups.items():
        fixed = [c == p for c, p in zip(cols[:-1], prefix)]
        for start in range(0, len(lasts), SELECT_CHUNK):
            chunk = lasts[start : start + SELECT_CHUNK]
            for row in conn.execute(select(table.c.id, *cols).where(*fixed, cols[-1].in_(chunk))):
                k = row[1] if len(cols) == 1 else tuple(row[1:])
                out[k] = row[0]
    return out


def delete_where(conn: Connection, model: Any, **equals: Any) -> int:
    table = table_of(model)
    res = conn.execute(table.delete().where(and_(*[table.c[k] == v for k, v in equals.items()])))
    return res.rowcount or 0
