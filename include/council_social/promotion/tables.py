"""Promotion's tables. Every one has a natural key, so a rerun of a day replaces its rows.

Consistency alerts go to `social.alerts` (kind `inconsistent_message`) with the others.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from council_social.store.tables import metadata

follows = Table(
    "promotion_follows",
    metadata,
    # who follows a council account (direction followers) or whom it follows (following)
    Column("account_key", Text, nullable=False),
    Column("direction", Text, nullable=False),
    Column("user_external_id", Text, nullable=False),
    Column("username", Text),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("account_key", "direction", "user_external_id"),
)

follow_suggestions = Table(
    "promotion_follow_suggestions",
    metadata,
    Column("day", Date, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("user_external_id", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("influence", Integer, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("rank", Integer, nullable=False),
    PrimaryKeyConstraint("day", "account_key", "user_external_id"),
)

follow_decisions = Table(
    "promotion_follow_decisions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("account_key", Text, nullable=False),
    Column("user_external_id", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("action", Text, nullable=False),  # followed | dismissed
    Column("officer", Text, nullable=False),
    Column("reason", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

local_trends = Table(
    "promotion_trends",
    metadata,
    Column("day", Date, nullable=False),
    Column("area", Text, nullable=False),
    Column("hashtag", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("baseline_mean", Float, nullable=False),
    Column("rise", Float, nullable=False),
    Column("topic", Text),
    Column("suggested_account", Text),
    Column("planner_entry", Text),  # the submitted draft, if any
    Column("posts", JSONB, nullable=False),  # [{platform, external_id, url}]
    PrimaryKeyConstraint("day", "area", "hashtag"),
)

campaign_weeks = Table(
    "promotion_campaign_weeks",
    metadata,
    Column("week_start", Date, nullable=False),
    Column("tag", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("posts", Integer, nullable=False),
    Column("council_posts", Integer, nullable=False),
    Column("reach", BigInteger, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    Column("resident_authors", Integer, nullable=False),
    PrimaryKeyConstraint("week_start", "tag"),
)

competitions = Table(
    "promotion_competitions",
    metadata,
    Column("key", Text, primary_key=True),
    Column("account_key", Text, nullable=False),
    Column("spec", JSONB, nullable=False),  # the YAML as read: hashtag/post, dates, prize, rules
    Column("status", Text, nullable=False),  # open | drawn
    Column("entries", JSONB),
    Column("eligible", JSONB),
    Column("published_value", Text),
    Column("seed", Text),
    Column("winner", JSONB),
    Column("archive", JSONB),  # {"warc": path, "sha256": ..., "manifest": path}
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("drawn_at", DateTime(timezone=True)),
)
