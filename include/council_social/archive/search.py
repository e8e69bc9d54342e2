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

from sqlalchemy import Connection

from council_social.archive import repo

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


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def search_items(conn: Connection, query: SearchQuery, timezone: str = "Europe/London") -> list[dict]:
    """Matching items, oldest first, with author, version count and deletion state."""
    tz = ZoneInfo(timezone)
    return repo.find_items(
        conn, words=query.words,
        start=_local_midnight(query.date_from, tz) if query.date_from else None,
        end=_local_midnight(query.date_to + timedelta(days=1), tz) if query.date_to else None,
        account=query.account, author=query.author,
        platform=query.platform, limit=query.limit)
