"""Archive evidence: when each file was anchored, who expired a file under which rule,
and the last verify's detail for the Archive page (so a page view re-hashes nothing).

Revision ID: 0030_archive_anchor_events
Revises: 0022_one_text_index
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0030_archive_anchor_events"
down_revision = "0022_one_text_index"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.add_column("archive_files", sa.Column("anchored_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column("retention_log", sa.Column("rule", sa.Text), schema=S)
    op.add_column("retention_log", sa.Column("expired_by", sa.Text), schema=S)
    op.add_column("archive_verify_runs", sa.Column("detail", JSONB), schema=S)


def downgrade() -> None:
    op.drop_column("archive_verify_runs", "detail", schema=S)
    op.drop_column("retention_log", "expired_by", schema=S)
    op.drop_column("retention_log", "rule", schema=S)
    op.drop_column("archive_files", "anchored_at", schema=S)
