"""Every moderation action, one per officer, keyed so a retried hide never calls the platform twice."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    Table,
    Text,
    UniqueConstraint,
)

from council_social.store.tables import metadata

moderation_actions = Table(
    "moderation_actions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("account_key", Text),
    Column("action", Text, nullable=False),  # hide | report | delete
    Column("rule", Text, nullable=False),  # a house rule's key from council.yaml
    Column("officer", Text, nullable=False),
    Column("note", Text, nullable=False),
    # pending (API call sent, outcome unknown) | done (the platform hid it) | recorded
    # (logged; the officer acts on the platform by hand) | failed (the platform refused)
    Column("status", Text, nullable=False),
    Column("detail", Text),
    Column("tries", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    # Each officer's action is recorded; one officer's retry finds their own row.
    UniqueConstraint("platform", "external_id", "action", "officer", name="moderation_actions_once"),
)
