"""The `social` schema, as SQLAlchemy Core tables.

Alembic migrations under `store/migrations` create these; the definitions here
are what the code queries. Nothing is ever deleted from `items`: edits become
rows in `item_versions` and deletions set `deleted`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "social"

metadata = MetaData(schema=SCHEMA)


def _ts(name: str, nullable: bool = True) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


accounts = Table(
    "accounts",
    metadata,
    Column("key", Text, primary_key=True),
    Column("platform", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("external_id", Text),
    Column("display_name", Text, nullable=False),
    Column("team", Text, nullable=False),
    Column("main", Boolean, nullable=False, server_default="false"),
    Column("sample", Boolean, nullable=False, server_default="true"),
)

authors = Table(
    "authors",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("username", Text),
    Column("display_name", Text),
    Column("description", Text),
    Column("verified", Boolean),
    Column("followers_count", BigInteger),
    Column("following_count", BigInteger),
    Column("listed_count", BigInteger),
    Column("post_count", BigInteger),
    Column("location", Text),
    Column("url", Text),
    _ts("created_at"),
    Column("raw", JSONB, nullable=False),
    _ts("first_seen_at", nullable=False),
    _ts("last_seen_at", nullable=False),
    PrimaryKeyConstraint("platform", "external_id"),
)

raw_pages = Table(
    "raw_pages",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("request_url", Text, nullable=False),
    Column("request_params", JSONB, nullable=False),
    # The ingest data interval this exchange served; process_items selects on it.
    _ts("interval_start", nullable=False),
    _ts("interval_end", nullable=False),
    Column("page_number", Integer, nullable=False),
    _ts("fetched_at", nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("sha256", Text, nullable=False),
    # A rerun that receives the same bytes adds nothing; different bytes are a new exchange.
    UniqueConstraint(
        "platform", "account_key", "endpoint", "interval_end", "page_number", "sha256",
        name="raw_pages_exchange_key",
    ),
)

ingest_fetches = Table(
    "ingest_fetches",
    metadata,
    Column("platform", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    _ts("interval_end", nullable=False),
    # The watermark this interval started from, so a rerun asks the same question.
    Column("since_id", Text),
    # Without a watermark the fetch starts at a time instead; kept so a rerun repeats it.
    _ts("start_time"),
    Column("newest_id", Text),
    Column("complete", Boolean, nullable=False),
    Column("stopped_reason", Text),
    Column("pages", Integer, nullable=False),
    PrimaryKeyConstraint("platform", "account_key", "endpoint", "interval_end"),
)

ingest_watermarks = Table(
    "ingest_watermarks",
    metadata,
    Column("platform", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("since_id", Text, nullable=False),
    _ts("interval_end", nullable=False),
    PrimaryKeyConstraint("platform", "account_key", "endpoint"),
)

items = Table(
    "items",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("account_key", Text),
    Column("kind", Text, nullable=False),
    Column("author_external_id", Text),
    Column("text", Text, nullable=False),
    _ts("created_at", nullable=False),
    Column("lang", Text),
    Column("conversation_id", Text),
    Column("in_reply_to_external_id", Text),
    Column("in_reply_to_author_id", Text),
    Column("url", Text),
    Column("metrics", JSONB, nullable=False),
    # The record as the API sent it is in raw_pages (raw_page_id); not copied here.
    Column("content_sha256", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("raw_page_id", BigInteger, ForeignKey("raw_pages.id"), nullable=False),
    _ts("first_seen_at", nullable=False),
    _ts("last_seen_at", nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    _ts("deleted_at"),
    PrimaryKeyConstraint("platform", "external_id"),
)

item_versions = Table(
    "item_versions",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_sha256", Text, nullable=False),
    Column("text", Text, nullable=False),
    _ts("observed_at", nullable=False),
    Column("raw_page_id", BigInteger, ForeignKey("raw_pages.id"), nullable=False),
    PrimaryKeyConstraint("platform", "external_id", "version"),
    UniqueConstraint("platform", "external_id", "content_sha256", name="item_versions_content_key"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("raw_page_id", BigInteger, ForeignKey("raw_pages.id"), nullable=False),
    # -1 marks a problem with the page as a whole.
    Column("record_index", Integer, nullable=False),
    Column("platform", Text, nullable=False),
    Column("account_key", Text, nullable=False),
    Column("external_id", Text),
    Column("reasons", JSONB, nullable=False),
    Column("record", JSONB),
    _ts("quarantined_at", nullable=False),
    PrimaryKeyConstraint("raw_page_id", "record_index"),
)

process_batches = Table(
    "process_batches",
    metadata,
    _ts("interval_start", nullable=False),
    _ts("interval_end", nullable=False),
    Column("raw_pages", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("stored", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("quarantined", Integer, nullable=False),
    Column("page_problems", Integer, nullable=False),
    Column("counts_by_account", JSONB, nullable=False),
    PrimaryKeyConstraint("interval_start", "interval_end"),
)
