"""FoI search: PostgreSQL full-text search over items, with account, author and dates.

Words use `websearch_to_tsquery('english', ...)` ("missed bins Wembley",
"bins -garden", "\\"fly tipping\\"" all work) against the current text and
every earlier version, so text edited away is still found. Deleted items
are found too: their content stays. Dates are whole days in the council's
timezone, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text

# 0001-01-01 .. 9999-12-31 means "everything"; the calendar's ends cannot be shifted between
# timezones, so they are brought in to days every stored time lies within.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class SearchQuery:
    words: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account: str | None = None
    author: str | None = None
    platform: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.date_from is not None:
            object.__setattr__(self, "date_from", max(self.date_from, EARLIEST_DAY))
        if self.date_to is not None:
            object.__setattr__(self, "date_to", min(self.date_to, LATEST_DAY))

    def describe(self) -> dict:
        return {"words": self.words, "from": self.date_from and self.date_from.isoformat(),
                "to": self.date_to and self.date_to.isoformat(), "account": self.account,
                "author": self.author, "platform": self.platform}


# Any text the item has held: its current text is its newest version's, so the one
# full-text index (on item_versions) serves both.
_MATCH = (
    "(i.platform, i.external_id) IN (SELECT v.platform, v.external_id"
    " FROM social.item_versions v"
    " WHERE to_tsvector('english', v.text) @@ websearch_to_tsquery('english', :words))"
)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def search_items(conn: Connection, query: SearchQuery, timezone: str = "Europe/London") -> list[dict]:
    """Matching items, oldest first, with author, version count and deletion state."""
    tz = ZoneInfo(timezone)
    where, params = [], {}
    if query.words and query.words.strip():
        where.append(_MATCH)
        params["words"] = query.words
    if query.date_from:
        where.append("i.created_at >= :start")
        params["start"] = _local_midnight(query.date_from, tz)
    if query.date_to:
        where.append("i.created_at < :end")
        params["end"] = _local_midnight(query.date_to + timedelta(days=1), tz)
    if query.account:
        where.append("i.account_key = :account")
        params["account"] = query.account
    if query.author:
        where.append("lower(a.username) = lower(:author)")
        params["author"] = query.author.lstrip("@")
    if query.platform:
        where.append("i.platform = :platform")
        params["platform"] = query.platform
    sql = (
        "SELECT i.platform, i.external_id, i.account_key, i.kind, i.created_at, i.text, i.url,"
        " i.author_external_id, a.username AS author_username, a.display_name AS author_name,"
        " i.version AS versions, i.deleted, i.deleted_at, i.raw_page_id"
        " FROM social.items i LEFT JOIN social.authors a"
        " ON a.platform = i.platform AND a.external_id = i.author_external_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY i.created_at, i.platform, i.external_id"
    )
    if query.limit:
        sql += " LIMIT :limit"
        params["limit"] = query.limit
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def versions_of(conn: Connection, keys: list[tuple[str, str]]) -> list[dict]:
    """Every stored version of the given items, in version order."""
    if not keys:
        return []
    return [dict(r) for r in conn.execute(text(
        "SELECT v.platform, v.external_id, v.version, v.text, v.observed_at, v.raw_page_id"
        " FROM social.item_versions v"
        " JOIN unnest(CAST(:platforms AS text[]), CAST(:ids AS text[])) AS k(platform, external_id)"
        " ON v.platform = k.platform AND v.external_id = k.external_id"
        " ORDER BY v.platform, v.external_id, v.version"
    ), {"platforms": [k[0] for k in keys], "ids": [k[1] for k in keys]}).mappings()]


def evidence_pages(conn: Connection, keys: list[tuple[str, str]]) -> list[int]:
    """Raw pages that evidence the items: each version, the latest sighting, the tombstone."""
    if not keys:
        return []
    return list(conn.execute(text(
        "WITH k AS (SELECT * FROM unnest(CAST(:platforms AS text[]), CAST(:ids AS text[]))"
        "   AS k(platform, external_id))"
        " SELECT v.raw_page_id FROM social.item_versions v JOIN k USING (platform, external_id)"
        " UNION SELECT i.raw_page_id FROM social.items i JOIN k USING (platform, external_id)"
        " UNION SELECT t.raw_page_id FROM social.item_tombstones t JOIN k USING (platform, external_id)"
        " ORDER BY 1"
    ), {"platforms": [k[0] for k in keys], "ids": [k[1] for k in keys]}).scalars())
