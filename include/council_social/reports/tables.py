"""Daily metrics per account and emerging-issue alerts.

Both are keyed naturally, so a rerun of the reports DAG for a day replaces
that day's rows instead of adding to them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from council_social.store.tables import metadata

metrics_daily = Table(
    "metrics_daily",
    metadata,
    Column("day", Date, nullable=False),  # the council's local day
    Column("account_key", Text, nullable=False),
    Column("platform", Text, nullable=False),
    # audience at the day's last fetch of the account's own profile (None: not seen that day)
    Column("followers", BigInteger),
    # the strategy's baseline growth for the account (e.g. ~12 new X followers a day), as used
    Column("baseline_daily_growth", Float),
    Column("posts", Integer, nullable=False),
    Column("engagement", Integer, nullable=False),
    Column("mentions", Integer, nullable=False),
    Column("mentions_positive", Integer, nullable=False),
    Column("mentions_neutral", Integer, nullable=False),
    Column("mentions_negative", Integer, nullable=False),
    Column("replies", Integer, nullable=False),
    Column("replies_within_target", Integer, nullable=False),
    Column("median_response_minutes", Float),
    Column("cases_opened", Integer, nullable=False),
    Column("cases_closed", Integer, nullable=False),
    Column("cases_overdue", Integer, nullable=False),
    Column("foi_due", Integer, nullable=False),
    Column("foi_on_time", Integer, nullable=False),
    # the reports run (data interval end) that wrote the row
    Column("computed_for", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("day", "account_key"),
)

alerts = Table(
    "alerts",
    metadata,
    # spike | negativity_spike | trending_hashtag | impersonation
    Column("kind", Text, nullable=False),
    # topic:<key>, hashtag:<tag>, author:<platform>:<id>
    Column("subject", Text, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("team", Text, nullable=False),
    Column("observed", Float, nullable=False),
    Column("expected", Float),
    Column("score", Float),
    Column("message", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("raised_for", DateTime(timezone=True), nullable=False),
    # set once the web team has been told; a rerun does not tell them twice
    Column("notified_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("kind", "subject", "window_start"),
)
