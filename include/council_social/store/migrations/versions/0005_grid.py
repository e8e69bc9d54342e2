"""Forward planner, communications grid, post attempts and the override log.

Revision ID: 0005_grid
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0005_grid"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "planner_entries",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("channels", ARRAY(sa.Text), nullable=False),
        sa.Column("earliest", sa.Date, nullable=False),
        sa.Column("latest", sa.Date, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("campaign", sa.Text, nullable=False),
        sa.Column("essential", sa.Boolean, nullable=False),
        sa.Column("press_release_url", sa.Text),
        sa.Column("media", JSONB, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        _ts("imported_at", nullable=False),
        schema=S,
    )
    op.create_index("planner_entries_by_window", "planner_entries", ["earliest", "latest"],
                    schema=S)
    op.create_table(
        "grid_publications",
        sa.Column("grid_start", sa.Date, nullable=False),
        _ts("built_for", nullable=False),
        sa.Column("grid_end", sa.Date, nullable=False),
        sa.Column("placed", sa.Integer, nullable=False),
        sa.Column("unplaced", sa.Integer, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("files", JSONB, nullable=False),
        sa.Column("best_times", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("grid_start", "built_for"),
        schema=S,
    )
    op.create_table(
        "grid_slots",
        sa.Column("grid_start", sa.Date, nullable=False),
        _ts("built_for", nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        _ts("slot_at"),
        sa.Column("mode", sa.Text),
        sa.Column("score", sa.Float),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("cover", sa.Text),
        sa.Column("flags", ARRAY(sa.Text), nullable=False),
        sa.PrimaryKeyConstraint("grid_start", "built_for", "entry_key", "account_key"),
        schema=S,
    )
    op.create_index("grid_slots_by_time", "grid_slots", ["built_for", "slot_at"], schema=S)
    op.create_table(
        "post_attempts",
        sa.Column("idempotency_key", sa.Text, primary_key=True),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        _ts("slot_at", nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text),
        _ts("first_tried_at", nullable=False),
        _ts("last_tried_at", nullable=False),
        schema=S,
    )
    op.create_index("post_attempts_by_entry", "post_attempts", ["entry_key", "account_key"],
                    schema=S)
    op.create_table(
        "override_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        _ts("logged_at", nullable=False),
        schema=S,
    )


def downgrade() -> None:
    for table in ("override_log", "post_attempts", "grid_slots", "grid_publications",
                  "planner_entries"):
        op.drop_table(table, schema=S)
