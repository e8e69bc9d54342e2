"""Triage decisions and officers' corrections.

One decision per item per rules version: a new rules version re-triages by
backfill and keeps the old rows, so versions can be compared over a year.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from council_social.store.tables import metadata

triage_decisions = Table(
    "triage_decisions",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("rules_version", Text, nullable=False),
    # monitor | customer_service | webteam_respond | service_conversation | escalate_comms
    Column("outcome", Text, nullable=False),
    # any of foi, emergency, out_of_hours, abusive, impersonation (sorted)
    Column("flags", ARRAY(Text), nullable=False),
    Column("intent", Text, nullable=False),
    Column("topic", Text),
    # the owning team's key from council.yaml
    Column("department", Text),
    Column("criticality", Float, nullable=False),
    Column("critical", Boolean, nullable=False),
    Column("influence", Integer, nullable=False),
    Column("importance", Float, nullable=False),
    Column("foi_valid", Boolean),
    Column("draft_reply", Text),
    Column("inputs", JSONB, nullable=False),
    Column("rule_path", JSONB, nullable=False),
    # the item's created_at: decisions are a function of the data, not of when they ran
    Column("item_created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("platform", "external_id", "rules_version"),
)

triage_corrections = Table(
    "triage_corrections",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("rules_version", Text),
    Column("outcome", Text),
    Column("critical", Boolean),
    Column("officer", Text, nullable=False),
    Column("note", Text),
    Column("corrected_at", DateTime(timezone=True), nullable=False),
)

# Influence 1..100 per author per day, recomputed daily (dags/influence_daily.py) over
# the `window_days` up to the end of `day` (UTC); triage reads the newest row before
# an item's day. components: the explanation (points, inputs, weights).
author_influence = Table(
    "author_influence",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("score", Integer, nullable=False),
    Column("components", JSONB, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("platform", "external_id", "day"),
)
