"""Daily author influence (recomputed over a 90-day window).

Revision ID: 0009_influence
Revises: 0002_triage
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009_influence"
down_revision = "0002_triage"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "author_influence",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("components", JSONB, nullable=False),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "external_id", "day"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("author_influence", schema=S)
