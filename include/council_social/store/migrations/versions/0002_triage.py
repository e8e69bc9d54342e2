"""Triage decisions and corrections.

Revision ID: 0002_triage
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002_triage"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "triage_decisions",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("rules_version", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("flags", ARRAY(sa.Text), nullable=False),
        sa.Column("intent", sa.Text, nullable=False),
        sa.Column("topic", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("criticality", sa.Float, nullable=False),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("influence", sa.Integer, nullable=False),
        sa.Column("importance", sa.Float, nullable=False),
        sa.Column("foi_valid", sa.Boolean),
        sa.Column("draft_reply", sa.Text),
        sa.Column("inputs", JSONB, nullable=False),
        sa.Column("rule_path", JSONB, nullable=False),
        sa.Column("item_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "external_id", "rules_version"),
        schema=S,
    )
    op.create_index("triage_decisions_by_outcome", "triage_decisions",
                    ["rules_version", "outcome", "item_created_at"], schema=S)
    op.create_table(
        "triage_corrections",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("rules_version", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("critical", sa.Boolean),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("triage_corrections", schema=S)
    op.drop_table("triage_decisions", schema=S)
