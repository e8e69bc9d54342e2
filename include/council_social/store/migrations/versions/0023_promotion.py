"""Promotion: followers, follow-back suggestions and decisions, local trends, campaign
weeks and competitions.

Revision ID: 0023_promotion
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0023_promotion"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "promotion_follows",
        _text("account_key"), _text("direction"), _text("user_external_id"),
        _text("username", True), _ts("first_seen_at", False), _ts("last_seen_at", False),
        sa.PrimaryKeyConstraint("account_key", "direction", "user_external_id"),
        schema=S,
    )
    op.create_table(
        "promotion_follow_suggestions",
        sa.Column("day", sa.Date, nullable=False), _text("account_key"),
        _text("user_external_id"), _text("handle"),
        sa.Column("influence", sa.Integer, nullable=False),
        sa.Column("reasons", JSONB, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", "account_key", "user_external_id"),
        schema=S,
    )
    op.create_table(
        "promotion_follow_decisions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        _text("account_key"), _text("user_external_id"), _text("handle"), _text("action"),
        _text("officer"), _text("reason", True), _ts("decided_at", False),
        schema=S,
    )
    op.create_table(
        "promotion_trends",
        sa.Column("day", sa.Date, nullable=False), _text("area"), _text("hashtag"),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("baseline_mean", sa.Float, nullable=False),
        sa.Column("rise", sa.Float, nullable=False),
        _text("topic", True), _text("suggested_account", True), _text("planner_entry", True),
        sa.Column("posts", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("day", "area", "hashtag"),
        schema=S,
    )
    op.create_table(
        "promotion_campaign_weeks",
        sa.Column("week_start", sa.Date, nullable=False), _text("tag"), _text("campaign"),
        *(sa.Column(c, sa.Integer, nullable=False) for c in ("posts", "council_posts")),
        *(sa.Column(c, sa.BigInteger, nullable=False) for c in ("reach", "engagement")),
        sa.Column("resident_authors", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("week_start", "tag"),
        schema=S,
    )
    op.create_table(
        "promotion_competitions",
        sa.Column("key", sa.Text, primary_key=True), _text("account_key"),
        sa.Column("spec", JSONB, nullable=False), _text("status"),
        sa.Column("entries", JSONB), sa.Column("eligible", JSONB),
        _text("published_value", True), _text("seed", True), sa.Column("winner", JSONB),
        sa.Column("archive", JSONB), _ts("opened_at", False), _ts("drawn_at"),
        schema=S,
    )


def downgrade() -> None:
    for name in ("promotion_competitions", "promotion_campaign_weeks", "promotion_trends",
                 "promotion_follow_decisions", "promotion_follow_suggestions",
                 "promotion_follows"):
        op.drop_table(name, schema=S)
