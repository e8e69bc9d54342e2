"""Account requests and the account registry (the strategy's governance).

Revision ID: 0019_governance
Revises: 0001_spine
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_governance"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

S = "social"


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "account_requests",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *(sa.Column(c, sa.Text, nullable=False) for c in (
            "service", "platform", "handle", "requested_by", "audience", "objectives",
            "why_own_account", "content_commitment", "status")),
        _ts("requested_at", nullable=False),
        sa.Column("reviewed_by", sa.Text),
        _ts("reviewed_at"),
        sa.Column("review_reason", sa.Text),
        sa.Column("registry_key", sa.Text),
        schema=S,
    )
    op.create_table(
        "account_registry",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("owner_team", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        _ts("added_at", nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("account_registry", schema=S)
    op.drop_table("account_requests", schema=S)
