"""One full-text index for FoI search: item_versions only.

Every item's current text is also its newest version's text, so the index on
item_versions already finds every text an item has held. The second index on
items doubled the text-search work of every stored item (about a third of
storing a batch) and found nothing the first did not.

Revision ID: 0022_one_text_index
Revises: 0021_verify_log
"""

from alembic import op

revision = "0022_one_text_index"
down_revision = "0021_verify_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS social.items_text_fts")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS items_text_fts ON social.items"
               " USING gin (to_tsvector('english', text))")
