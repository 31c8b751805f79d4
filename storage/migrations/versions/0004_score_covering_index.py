"""score index covers person_id, so lead lists rank and count from the index alone

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index("ix_score_dim_value", table_name="score")
    op.create_index("ix_score_dim_value", "score", ["dimension", "name", "value", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_score_dim_value", table_name="score")
    op.create_index("ix_score_dim_value", "score", ["dimension", "name", "value"])
