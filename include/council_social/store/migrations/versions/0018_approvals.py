"""Approvals before posting: who submitted a planner entry, and the approval audit log.

Revision ID: 0018_approvals
Revises: 0005_grid
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_approvals"
down_revision = "0005_grid"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.add_column("planner_entries", sa.Column("submitted_by", sa.Text), schema=S)
    op.create_table(
        "planner_audit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index("planner_audit_entry", "planner_audit", ["entry_key", "at"], schema=S)


def downgrade() -> None:
    op.drop_table("planner_audit", schema=S)
    op.drop_column("planner_entries", "submitted_by", schema=S)
