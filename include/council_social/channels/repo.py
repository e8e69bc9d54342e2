"""What the non-X channels read back from the store: YouTube quota spent today."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from council_social.store.tables import raw_pages

# Google resets the YouTube Data API quota at midnight Pacific time.
QUOTA_DAY_TZ = ZoneInfo("America/Los_Angeles")


def quota_day_start(now: datetime) -> datetime:
    local = now.astimezone(QUOTA_DAY_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def youtube_units_spent_today(conn: Connection, now: datetime) -> int:
    """Units of the archived YouTube calls since the quota day began (the archive is the ledger)."""
    from council_social.channels.youtube import QUOTA_COST

    rows = conn.execute(
        select(raw_pages.c.request_url, func.count())
        .where(raw_pages.c.platform == "youtube",
               raw_pages.c.fetched_at >= quota_day_start(now))
        .group_by(raw_pages.c.request_url)
    ).all()
    total = 0
    for url, n in rows:
        resource = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        total += QUOTA_COST.get(resource, 1) * n
    return total
