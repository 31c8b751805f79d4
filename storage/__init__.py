"""Storage: SQLModel tables, the engine, idempotent bulk upserts and schema migrations.

The only package that writes to the database; it imports nothing else of the project.
"""

from storage.engine import make_engine, session
from storage.schema import SchemaTooNew, ensure_schema, schema_status
from storage.upsert import upsert

__all__ = ["make_engine", "session", "ensure_schema", "schema_status", "SchemaTooNew", "upsert"]
