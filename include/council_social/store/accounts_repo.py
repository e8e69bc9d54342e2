"""The council's own accounts, mirrored from council.yaml into the store."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from council_social.store.tables import accounts

COLUMNS = ("platform", "handle", "external_id", "display_name", "team", "main", "sample")


def sync_accounts(conn: Connection, config) -> int:
    """Upsert every configured account; accounts removed from config stay for history."""
    rows = [{"key": a.key, **{c: getattr(a, c) for c in COLUMNS}} for a in config.accounts]
    if rows:
        stmt = insert(accounts).values(rows)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"], set_={c: stmt.excluded[c] for c in COLUMNS}
        ))
    return len(rows)
