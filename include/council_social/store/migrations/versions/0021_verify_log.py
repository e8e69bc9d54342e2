"""Each archive verify's outcome, for the operator's home page.

Revision ID: 0021_verify_log
Revises: 0006_archive
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_verify_log"
down_revision = "0006_archive"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "archive_verify_runs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("root", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("problems", sa.Integer, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("archive_verify_runs", schema=S)
