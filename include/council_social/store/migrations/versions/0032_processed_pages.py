"""processed_pages: which process_items batch read each raw page, so a run reads only
pages no other run has read. Existing pages go to the longest batch that covered them.

Revision ID: 0032_processed_pages
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_processed_pages"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "processed_pages",
        sa.Column("raw_page_id", sa.BigInteger,
                  sa.ForeignKey(f"{S}.raw_pages.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("batch_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_end", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index("processed_pages_by_batch", "processed_pages", ["batch_start", "batch_end"],
                    schema=S)
    # Pages an earlier run already read (a batch's interval holds their ingest end).
    op.execute(f"""
        INSERT INTO {S}.processed_pages (raw_page_id, batch_start, batch_end)
        SELECT DISTINCT ON (p.id) p.id, b.interval_start, b.interval_end
        FROM {S}.raw_pages p JOIN {S}.process_batches b
          ON p.interval_end > b.interval_start AND p.interval_end <= b.interval_end
        ORDER BY p.id, b.interval_end - b.interval_start DESC, b.interval_start
    """)


def downgrade() -> None:
    op.drop_table("processed_pages", schema=S)
