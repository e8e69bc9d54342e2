"""Account requests (the strategy's four questions) and the registry of council accounts."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Table, Text

from council_social.store.tables import metadata

account_requests = Table(
    "account_requests",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("service", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    # the strategy's four questions, each answered
    Column("audience", Text, nullable=False),
    Column("objectives", Text, nullable=False),
    Column("why_own_account", Text, nullable=False),
    Column("content_commitment", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending | approved | rejected
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_by", Text),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("review_reason", Text),
    Column("registry_key", Text),  # the registry account an approval created
)

account_registry = Table(
    "account_registry",
    metadata,
    # council.yaml's account key, or <platform>-<handle> for an approved request
    Column("key", Text, primary_key=True),
    Column("platform", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("external_id", Text),
    Column("owner_team", Text, nullable=False),
    Column("source", Text, nullable=False),  # council.yaml | request <id>
    Column("added_at", DateTime(timezone=True), nullable=False),
)
