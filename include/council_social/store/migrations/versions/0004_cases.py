"""Response cases, case events and team digests.

Revision ID: 0004_cases
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0004_cases"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("team", sa.Text, nullable=False),
        sa.Column("department", sa.Text),
        sa.Column("assignee", sa.Text, nullable=False),
        sa.Column("assignee_name", sa.Text),
        sa.Column("rules_version", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("flags", ARRAY(sa.Text), nullable=False),
        _ts("opened_at", nullable=False),
        _ts("due_at", nullable=False),
        _ts("escalate_at", nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        _ts("responded_at"),
        sa.Column("responded_by", sa.Text),
        sa.Column("response_channel", sa.Text),
        _ts("closed_at"),
        _ts("recorded_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.Column("details", JSONB, nullable=False),
        sa.UniqueConstraint("platform", "external_id", "kind", name="cases_item_kind_key"),
        schema=S,
    )
    op.create_index("cases_by_status_due", "cases", ["status", "due_at"], schema=S)
    op.create_index("cases_by_team_status", "cases", ["team", "status"], schema=S)
    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey(f"{S}.cases.id"), nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        _ts("at", nullable=False),
        _ts("recorded_at", nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text),
        sa.Column("once_key", sa.Text),
        sa.Column("detail", JSONB, nullable=False),
        sa.UniqueConstraint("case_id", "once_key", name="case_events_once_key"),
        schema=S,
    )
    op.create_index("case_events_by_recorded", "case_events", ["recorded_at"], schema=S)
    op.create_table(
        "case_digests",
        sa.Column("team", sa.Text, nullable=False),
        _ts("interval_end", nullable=False),
        sa.Column("recipients", JSONB, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("transport", sa.Text, nullable=False),
        sa.Column("body_sha256", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("team", "interval_end"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("case_digests", schema=S)
    op.drop_table("case_events", schema=S)
    op.drop_table("cases", schema=S)
