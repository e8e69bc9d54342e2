"""The spine: accounts, authors, raw pages, watermarks, items and versions, quarantine.

Revision ID: 0001_spine
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_spine"
down_revision = None
branch_labels = None
depends_on = None

S = "social"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("team", sa.Text, nullable=False),
        sa.Column("main", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("sample", sa.Boolean, nullable=False, server_default="true"),
        schema=S,
    )
    op.create_table(
        "authors",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text),
        sa.Column("display_name", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("verified", sa.Boolean),
        sa.Column("followers_count", sa.BigInteger),
        sa.Column("following_count", sa.BigInteger),
        sa.Column("listed_count", sa.BigInteger),
        sa.Column("post_count", sa.BigInteger),
        sa.Column("location", sa.Text),
        sa.Column("url", sa.Text),
        _ts("created_at"),
        sa.Column("raw", JSONB, nullable=False),
        _ts("first_seen_at", nullable=False),
        _ts("last_seen_at", nullable=False),
        sa.PrimaryKeyConstraint("platform", "external_id"),
        schema=S,
    )
    op.create_table(
        "raw_pages",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("request_url", sa.Text, nullable=False),
        sa.Column("request_params", JSONB, nullable=False),
        _ts("interval_start", nullable=False),
        _ts("interval_end", nullable=False),
        sa.Column("page_number", sa.Integer, nullable=False),
        _ts("fetched_at", nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.UniqueConstraint(
            "platform", "account_key", "endpoint", "interval_end", "page_number", "sha256",
            name="raw_pages_exchange_key",
        ),
        schema=S,
    )
    op.create_index("raw_pages_by_interval", "raw_pages", ["interval_end"], schema=S)
    op.create_index("raw_pages_by_fetched_at", "raw_pages", ["fetched_at"], schema=S)
    op.create_table(
        "ingest_fetches",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        _ts("interval_end", nullable=False),
        sa.Column("since_id", sa.Text),
        _ts("start_time"),
        sa.Column("newest_id", sa.Text),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("stopped_reason", sa.Text),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("platform", "account_key", "endpoint", "interval_end"),
        schema=S,
    )
    op.create_table(
        "ingest_watermarks",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("since_id", sa.Text, nullable=False),
        _ts("interval_end", nullable=False),
        sa.PrimaryKeyConstraint("platform", "account_key", "endpoint"),
        schema=S,
    )
    op.create_table(
        "items",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("author_external_id", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        _ts("created_at", nullable=False),
        sa.Column("lang", sa.Text),
        sa.Column("conversation_id", sa.Text),
        sa.Column("in_reply_to_external_id", sa.Text),
        sa.Column("in_reply_to_author_id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("metrics", JSONB, nullable=False),
        sa.Column("content_sha256", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("raw_page_id", sa.BigInteger, sa.ForeignKey(f"{S}.raw_pages.id"), nullable=False),
        _ts("first_seen_at", nullable=False),
        _ts("last_seen_at", nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default="false"),
        _ts("deleted_at"),
        sa.PrimaryKeyConstraint("platform", "external_id"),
        schema=S,
    )
    op.create_index("items_by_created_at", "items", ["created_at"], schema=S)
    op.create_index("items_by_conversation", "items", ["platform", "conversation_id"], schema=S)
    op.create_table(
        "item_versions",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content_sha256", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        _ts("observed_at", nullable=False),
        sa.Column("raw_page_id", sa.BigInteger, sa.ForeignKey(f"{S}.raw_pages.id"), nullable=False),
        sa.PrimaryKeyConstraint("platform", "external_id", "version"),
        sa.UniqueConstraint(
            "platform", "external_id", "content_sha256", name="item_versions_content_key"
        ),
        schema=S,
    )
    op.create_table(
        "quarantine",
        sa.Column("raw_page_id", sa.BigInteger, sa.ForeignKey(f"{S}.raw_pages.id"), nullable=False),
        sa.Column("record_index", sa.Integer, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("reasons", JSONB, nullable=False),
        sa.Column("record", JSONB),
        _ts("quarantined_at", nullable=False),
        sa.PrimaryKeyConstraint("raw_page_id", "record_index"),
        schema=S,
    )
    op.create_table(
        "process_batches",
        _ts("interval_start", nullable=False),
        _ts("interval_end", nullable=False),
        sa.Column("raw_pages", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.Integer, nullable=False),
        sa.Column("page_problems", sa.Integer, nullable=False),
        sa.Column("counts_by_account", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("interval_start", "interval_end"),
        schema=S,
    )


def downgrade() -> None:
    for table in (
        "process_batches", "quarantine", "item_versions", "items", "ingest_watermarks",
        "ingest_fetches", "raw_pages", "authors", "accounts",
    ):
        op.drop_table(table, schema=S)
