"""Replies sent from a case: one row per officer submission, sent exactly once.

Revision ID: 0023_case_replies
Revises: 0013_cases_open_from (the cases branch: each capability has its own)
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_case_replies"
down_revision = "0013_cases_open_from"
branch_labels = None
depends_on = None

S = "social"
# A case has at most one reply on its way at a time (see cases/replies.py).
UNFINISHED = "status IN ('awaiting_approval', 'queued', 'sending')"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "case_replies",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("case_id", sa.BigInteger, sa.ForeignKey(f"{S}.cases.id"), nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("account_key", sa.Text),
        sa.Column("in_reply_to", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("saved_key", sa.Text),
        sa.Column("link", sa.Text),
        sa.Column("holding", sa.Boolean, nullable=False),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("approved_by", sa.Text),
        _ts("approved_at"),
        _ts("created_at", nullable=False),
        _ts("announced_at"),
        _ts("sent_at"),
        _ts("updated_at", nullable=False),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("detail", sa.Text),
        schema=S,
    )
    op.create_index("case_replies_case", "case_replies", ["case_id", "created_at"], schema=S)
    op.create_index("case_replies_one_unfinished", "case_replies", ["case_id"], unique=True,
                    schema=S, postgresql_where=sa.text(UNFINISHED))
    op.create_index("case_replies_to_send", "case_replies", ["status", "announced_at"], schema=S,
                    postgresql_where=sa.text("status IN ('queued', 'sending')"))


def downgrade() -> None:
    op.drop_table("case_replies", schema=S)
