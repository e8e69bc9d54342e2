"""Which process_items batch read each raw page: the per-page processed record.

A page belongs to one batch, named by its interval (process_batches' key). A run
reads only the pages no other batch has read (`pipeline.claims`), so overlapping
asset-triggered and hourly runs read each page once; a backfill takes its pages over.
No timestamp: a rerun must leave the same rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Table

from council_social.store.tables import metadata, raw_pages

processed_pages = Table(
    "processed_pages",
    metadata,
    Column("raw_page_id", BigInteger, ForeignKey(raw_pages.c.id, ondelete="CASCADE"),
           primary_key=True),
    Column("batch_start", DateTime(timezone=True), nullable=False),
    Column("batch_end", DateTime(timezone=True), nullable=False),
    Index("processed_pages_by_batch", "batch_start", "batch_end"),
)
