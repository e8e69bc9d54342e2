"""Archive: WARC manifest with per-record digests, tombstones, legal holds, retention log,
and full-text indexes over item text for FoI search.

Revision ID: 0006_archive
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_archive"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "archive_files",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False, unique=True),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("prev_sha256", sa.Text),
        sa.Column("chain_position", sa.Integer, nullable=False, unique=True),
        sa.Column("first_fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("platform", "day", "version", name="archive_files_day_version"),
        schema=S,
    )
    op.create_table(
        "archive_records",
        sa.Column("file_id", sa.BigInteger, sa.ForeignKey(f"{S}.archive_files.id"), nullable=False),
        sa.Column("record_index", sa.Integer, nullable=False),
        sa.Column("warc_record_id", sa.Text, nullable=False),
        sa.Column("warc_type", sa.Text, nullable=False),
        sa.Column("raw_page_id", sa.BigInteger, sa.ForeignKey(f"{S}.raw_pages.id")),
        sa.Column("record_class", sa.Text, nullable=False),
        sa.Column("byte_offset", sa.BigInteger, nullable=False),
        sa.Column("byte_length", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("file_id", "record_index"),
        schema=S,
    )
    op.create_index("archive_records_by_raw_page", "archive_records", ["raw_page_id"], schema=S)
    op.create_table(
        "item_tombstones",
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_page_id", sa.BigInteger, sa.ForeignKey(f"{S}.raw_pages.id"), nullable=False),
        sa.Column("detail", sa.Text),
        sa.PrimaryKeyConstraint("platform", "external_id"),
        schema=S,
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("case_ref", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("platform", "external_id", "case_ref", name="legal_holds_item_case"),
        schema=S,
    )
    op.create_table(
        "retention_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("file_id", sa.BigInteger, sa.ForeignKey(f"{S}.archive_files.id"),
                  nullable=False, unique=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("retain_until", sa.Date, nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    # FoI search: expression GIN indexes, so the tsvector is never stored twice.
    op.execute("CREATE INDEX items_text_fts ON social.items"
               " USING gin (to_tsvector('english', text))")
    op.execute("CREATE INDEX item_versions_text_fts ON social.item_versions"
               " USING gin (to_tsvector('english', text))")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS social.item_versions_text_fts")
    op.execute("DROP INDEX IF EXISTS social.items_text_fts")
    for table in ("retention_log", "legal_holds", "item_tombstones", "archive_records",
                  "archive_files"):
        op.drop_table(table, schema=S)
