"""identity keys: blocking keys and a change queue for incremental identity resolution

Revision ID: 0003
Revises: 0002

`identitykey` holds each identity's blocking keys (login, emails, handles, normalised name), so an
incremental resolve finds the identities a new one may match through an index instead of reading
every identity. `identitychange` is a queue of identities whose matching-relevant fields or
context (contributions, authorships, talks, paper code links) changed since the last resolve;
triggers fill it, so collectors need not know about it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_FIELDS = ("name", "login", "kind", "emails", "urls", "handles", "affiliation", "company", "location", "bio")
_CHANGED = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in _FIELDS)

SQLITE_TRIGGERS = {
    "identity_changed": f"""CREATE TRIGGER identity_changed AFTER UPDATE ON identity
        WHEN NEW.person_id IS NOT NULL AND ({_CHANGED})
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id) VALUES (NEW.id); END""",
    # a repo is context once per identity: the resolver keeps "r:<repo id>" keys of each identity
    "repocontributor_changed": """CREATE TRIGGER repocontributor_changed AFTER INSERT ON repocontributor
        WHEN NOT EXISTS (SELECT 1 FROM identitykey k WHERE k.key = 'r:' || NEW.repo_id
                         AND k.identity_id = NEW.identity_id)
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id) VALUES (NEW.identity_id); END""",
    "authorship_changed": """CREATE TRIGGER authorship_changed AFTER INSERT ON authorship
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id) VALUES (NEW.identity_id); END""",
    "speaking_changed": """CREATE TRIGGER speaking_changed AFTER INSERT ON speaking
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id) VALUES (NEW.identity_id); END""",
    # a paper's new code link may join its authors to the repo's contributors
    "papercode_changed": """CREATE TRIGGER papercode_changed AFTER INSERT ON papercode
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id)
              SELECT identity_id FROM authorship WHERE paper_id = NEW.paper_id; END""",
    "activity_changed": """CREATE TRIGGER activity_changed AFTER INSERT ON activity
        WHEN NOT EXISTS (SELECT 1 FROM identitykey k WHERE k.key = 'r:' || NEW.repo_id
                         AND k.identity_id = NEW.identity_id)
        BEGIN INSERT OR IGNORE INTO identitychange(identity_id) VALUES (NEW.identity_id); END""",
}


def upgrade() -> None:
    op.create_table(
        "identitykey",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "identity_id"),
    )
    with op.batch_alter_table("identitykey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identitykey_identity_id"), ["identity_id"], unique=False)
    op.create_table(
        "identitychange",
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["identity_id"], ["identity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("identity_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("identitychange")
    with op.batch_alter_table("identitykey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identitykey_identity_id"))
    op.drop_table("identitykey")
