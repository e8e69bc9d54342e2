"""Moderation: one action per item, action and officer.

The old key (item, action) silently dropped a second officer's action on the
same item; each officer's action is now recorded, and one officer's retry still
finds their own row.

Revision ID: 0031_moderation_per_officer
Revises: 0020_moderation
"""

from alembic import op

revision = "0031_moderation_per_officer"
down_revision = "0020_moderation"
branch_labels = None
depends_on = None

S = "social"


def upgrade() -> None:
    op.drop_constraint("moderation_actions_once", "moderation_actions", schema=S, type_="unique")
    op.create_unique_constraint("moderation_actions_once", "moderation_actions",
                                ["platform", "external_id", "action", "officer"], schema=S)


def downgrade() -> None:
    op.drop_constraint("moderation_actions_once", "moderation_actions", schema=S, type_="unique")
    op.create_unique_constraint("moderation_actions_once", "moderation_actions",
                                ["platform", "external_id", "action"], schema=S)
