"""work text index: workdoc table and its FTS5 index (role fit)

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# FTS5 mirrors workdoc through triggers, so any write to workdoc (an upsert included) keeps the
# index current without a rebuild.
FTS = [
    """CREATE VIRTUAL TABLE work_fts USING fts5(
        title, body, content='workdoc', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER workdoc_ai AFTER INSERT ON workdoc BEGIN
        INSERT INTO work_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER workdoc_ad AFTER DELETE ON workdoc BEGIN
        INSERT INTO work_fts(work_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER workdoc_au AFTER UPDATE OF title, body ON workdoc BEGIN
        INSERT INTO work_fts(work_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO work_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]


def upgrade() -> None:
    op.create_table(
        "workdoc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("where", sa.String(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_workdoc_identity_id", "workdoc", ["identity_id"])
    if op.get_bind().dialect.name == "sqlite":
        for stmt in FTS:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("workdoc_au", "workdoc_ad", "workdoc_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS work_fts")
    op.drop_index("ix_workdoc_identity_id", table_name="workdoc")
    op.drop_table("workdoc")
