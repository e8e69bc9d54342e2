"""Planner entries, grid publications and slots, post attempts and the override log.

Every table has a natural key so the grid and publishing DAGs are reruns, not
appends: a rebuilt grid replaces its own slots, and a post attempt is keyed on
its idempotency key (entry, account, slot) so a retried task finds it.
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

planner_entries = Table(
    "planner_entries",
    metadata,
    # explicit `key` from the file, else sha256(title|owner|earliest)[:16]
    Column("key", Text, primary_key=True),
    Column("title", Text, nullable=False),
    Column("message", Text, nullable=False),
    # account keys from council.yaml, resolved at import
    Column("channels", ARRAY(Text), nullable=False),
    Column("earliest", Date, nullable=False),
    Column("latest", Date, nullable=False),
    Column("owner", Text, nullable=False),
    Column("priority", Text, nullable=False),  # essential | high | normal | low
    # draft | submitted | approved | rejected | scheduled | published | withdrawn; only an
    # approver moves submitted -> approved (see grid.approvals); publishing moves approved ->
    # scheduled (placed in a published grid) -> published (every channel posted), never back
    Column("status", Text, nullable=False),
    Column("campaign", Text, nullable=False),
    Column("essential", Boolean, nullable=False),
    Column("press_release_url", Text),
    Column("media", JSONB, nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # who submitted it for approval (an approver may not approve their own entry)
    Column("submitted_by", Text),
)

grid_publications = Table(
    "grid_publications",
    metadata,
    Column("grid_start", Date, nullable=False),
    # the moment the grid was built for (data interval end); earlier slots are not offered
    Column("built_for", DateTime(timezone=True), nullable=False),
    Column("grid_end", Date, nullable=False),
    Column("placed", Integer, nullable=False),
    Column("unplaced", Integer, nullable=False),
    Column("held", Integer, nullable=False),
    Column("files", JSONB, nullable=False),  # {"html": {"path", "sha256"}, ...}
    Column("best_times", JSONB, nullable=False),
    PrimaryKeyConstraint("grid_start", "built_for"),
)

grid_slots = Table(
    "grid_slots",
    metadata,
    Column("grid_start", Date, nullable=False),
    Column("built_for", DateTime(timezone=True), nullable=False),
    Column("entry_key", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("state", Text, nullable=False),  # placed | published | held | unplaced
    Column("slot_at", DateTime(timezone=True)),
    Column("mode", Text),  # post (API) | manual (posted by hand; no publishing API)
    Column("score", Float),
    Column("why", Text, nullable=False),
    Column("cover", Text),
    Column("flags", ARRAY(Text), nullable=False),
    PrimaryKeyConstraint("grid_start", "built_for", "entry_key", "account_key"),
)

post_attempts = Table(
    "post_attempts",
    metadata,
    # sha256(entry key | account | slot): one post per entry, account and slot, ever
    Column("idempotency_key", Text, primary_key=True),
    Column("entry_key", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("slot_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    # pending (sent, outcome unknown) | posted | held | failed (refused for good)
    # | auth_failed (token refused; tried again once renewed) | missed (slot passed unposted)
    Column("status", Text, nullable=False),
    # the platform's id of the post, so replies and metrics link back to the entry
    Column("external_id", Text),
    Column("tries", Integer, nullable=False),
    Column("detail", Text),
    Column("first_tried_at", DateTime(timezone=True), nullable=False),
    Column("last_tried_at", DateTime(timezone=True), nullable=False),
)

override_log = Table(
    "override_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("entry_key", Text, nullable=False),
    Column("officer", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("kind", Text, nullable=False),  # pre_election
    Column("logged_at", DateTime(timezone=True), nullable=False),
)

planner_audit = Table(
    "planner_audit",
    metadata,
    # every step of an entry's approval: submitted, approved, rejected, withdrawn, ...
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("entry_key", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("officer", Text, nullable=False),
    Column("reason", Text),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
