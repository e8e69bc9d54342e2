"""Daily metrics and emerging-issue alerts.

Revision ID: 0008_reports
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_reports"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False)


def upgrade() -> None:
    op.create_table(
        "metrics_daily",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("followers", sa.BigInteger),
        sa.Column("baseline_daily_growth", sa.Float),
        _count("posts"),
        _count("engagement"),
        _count("mentions"),
        _count("mentions_positive"),
        _count("mentions_neutral"),
        _count("mentions_negative"),
        _count("replies"),
        _count("replies_within_target"),
        sa.Column("median_response_minutes", sa.Float),
        _count("cases_opened"),
        _count("cases_closed"),
        _count("cases_overdue"),
        _count("foi_due"),
        _count("foi_on_time"),
        sa.Column("computed_for", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "account_key"),
        schema=S,
    )
    op.create_table(
        "alerts",
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team", sa.Text, nullable=False),
        sa.Column("observed", sa.Float, nullable=False),
        sa.Column("expected", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("detail", JSONB, nullable=False),
        sa.Column("raised_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("kind", "subject", "window_start"),
        schema=S,
    )
    op.create_index("alerts_by_window", "alerts", ["window_start"], schema=S)


def downgrade() -> None:
    op.drop_index("alerts_by_window", table_name="alerts", schema=S)
    op.drop_table("alerts", schema=S)
    op.drop_table("metrics_daily", schema=S)
