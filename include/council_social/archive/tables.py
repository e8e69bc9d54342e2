"""Archive manifest, per-record digests, tombstones, legal holds, the retention log and the
verify runs.

`archive_files` is the manifest: one row per WARC file ever written, chained
by `prev_sha256` in `chain_position` order. Rows are never deleted: an expired
file keeps its row (with `expired_at`), so the chain still verifies.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from council_social.store.tables import metadata

archive_files = Table(
    "archive_files",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("day", Date, nullable=False),
    # 1 for the first file of (platform, day); a later, different day's content is v2, ...
    Column("version", Integer, nullable=False),
    # relative to the archive root, '/'-separated
    Column("path", Text, nullable=False, unique=True),
    Column("records", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("prev_sha256", Text),
    Column("chain_position", Integer, nullable=False, unique=True),
    Column("first_fetched_at", DateTime(timezone=True), nullable=False),
    Column("last_fetched_at", DateTime(timezone=True), nullable=False),
    # the data interval end of the run that wrote it (not wall-clock time)
    Column("written_for", DateTime(timezone=True), nullable=False),
    Column("expired_at", DateTime(timezone=True)),
    # when its line went into the anchor log: a log that no longer has it was shortened
    Column("anchored_at", DateTime(timezone=True)),
    UniqueConstraint("platform", "day", "version", name="archive_files_day_version"),
)

archive_records = Table(
    "archive_records",
    metadata,
    Column("file_id", BigInteger, ForeignKey("archive_files.id"), nullable=False),
    Column("record_index", Integer, nullable=False),
    Column("warc_record_id", Text, nullable=False),
    Column("warc_type", Text, nullable=False),
    Column("raw_page_id", BigInteger, ForeignKey("raw_pages.id")),
    # own_posts | mentions | search | rechecks | other; retention is per class
    Column("record_class", Text, nullable=False),
    # the record's gzip member: byte offset and length in the file, and its sha256
    Column("byte_offset", BigInteger, nullable=False),
    Column("byte_length", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    PrimaryKeyConstraint("file_id", "record_index"),
)

item_tombstones = Table(
    "item_tombstones",
    metadata,
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    # when the platform first answered "not found"; the item row keeps its content
    Column("observed_at", DateTime(timezone=True), nullable=False),
    # the lookup exchange that said so (archived like every other exchange)
    Column("raw_page_id", BigInteger, ForeignKey("raw_pages.id"), nullable=False),
    Column("detail", Text),
    PrimaryKeyConstraint("platform", "external_id"),
)

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    # an FoI or complaint case reference; the cases capability places and releases holds
    Column("case_ref", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
    UniqueConstraint("platform", "external_id", "case_ref", name="legal_holds_item_case"),
)

retention_log = Table(
    "retention_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("file_id", BigInteger, ForeignKey("archive_files.id"), nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("day", Date, nullable=False),
    Column("records", Integer, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("retain_until", Date, nullable=False),
    # the retention run's as-of time (its data interval end)
    Column("expired_at", DateTime(timezone=True), nullable=False),
    # which rule and who: the same words as the anchor log's expiry event
    Column("rule", Text),
    Column("expired_by", Text),
)

# Every archive verify, so the home page can say when the chain was last checked.
archive_verify_runs = Table(
    "archive_verify_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("verified_at", DateTime(timezone=True), nullable=False),
    Column("root", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("files", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("problems", Integer, nullable=False),
    # what the Archive page shows: bytes, expired, anchored, the first problems' lines
    Column("detail", JSONB),
)
