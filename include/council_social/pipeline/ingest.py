"""ingest for one account and one data interval: fetch from the watermark, land the pages.

The network call happens outside any transaction; the pages, the fetch record
and the watermark are then written together, so a crash between the two
loses nothing and moves nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine

from council_social.store.ingest_repo import FetchKey, plan_fetch, record_fetch

log = logging.getLogger(__name__)


def ingest_account(
    engine: Engine,
    connector,
    account,
    *,
    endpoints: list[str],
    interval_start: datetime,
    interval_end: datetime,
    initial_lookback: timedelta,
) -> dict:
    """Fetch each endpoint of one account for (interval_start, interval_end]."""
    summary = {"account": account.key, "pages": 0, "new_pages": 0, "incomplete": []}
    for endpoint in endpoints:
        key = FetchKey(account.platform, account.key, endpoint, interval_end)
        with engine.connect() as conn:
            # Without a watermark, look back a fixed window, not the platform's whole history.
            plan = plan_fetch(conn, key, interval_end - initial_lookback)
        result = connector.fetch(
            account, endpoint, since_id=plan.since_id, start_time=plan.start_time,
            end_time=interval_end,
        )
        with engine.begin() as conn:
            new_pages = record_fetch(
                conn, key,
                interval_start=interval_start,
                plan=plan,
                pages=result.pages,
                newest_id=result.newest_id,
                complete=result.complete,
                stopped_reason=result.stopped_reason,
            )
        summary["pages"] += len(result.pages)
        summary["new_pages"] += new_pages
        if not result.complete:
            summary["incomplete"].append({"endpoint": endpoint, "reason": result.stopped_reason})
            log.warning("%s %s stopped early (%s); the watermark stays where it was",
                        account.key, endpoint, result.stopped_reason)
    return summary
