"""The moderation log.

Revision ID: 0020_moderation
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_moderation"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("platform", "external_id", "action", name="moderation_actions_once"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("moderation_actions", schema=S)
