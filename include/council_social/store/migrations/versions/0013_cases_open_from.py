"""When response cases start opening: the first response_watch run, stored once.

Revision ID: 0013_cases_open_from
Revises: 0004_cases
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_cases_open_from"
down_revision = "0004_cases"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "case_watch_marks",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("case_watch_marks", schema=S)
