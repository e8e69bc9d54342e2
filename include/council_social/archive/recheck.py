"""Re-check recent posts and mentions: land X's current answers for process_items.

The platform is asked again for each recent item (X: `GET /2/tweets?ids=`,
100 ids a request). The answers are landed as raw pages under the endpoint
`tweets/lookup`, with a fetch record, exactly as ingest lands its pages, so
they are archived too; the task then announces them and `process_items` (the
only writer of items) stores a changed text as a new row in `item_versions`
(the older texts stay) and marks an item X answered "Not Found Error" for as
`deleted`, with a tombstone naming the exchange that proved it
(`archive.tombstones`). Nothing is ever deleted from the store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from council_social.archive import repo
from council_social.archive.tombstones import LOOKUP_ENDPOINT
from council_social.store.ingest_repo import FetchKey, FetchPlan, record_fetch

log = logging.getLogger(__name__)

LOOKUP_BATCH = 100


@dataclass
class RecheckSummary:
    checked: int = 0
    pages: int = 0
    new_pages: int = 0
    stopped: str | None = None

    def as_dict(self) -> dict:
        return {"checked": self.checked, "pages": self.pages, "new_pages": self.new_pages,
                "stopped": self.stopped}


def items_to_recheck(engine: Engine, platform: str, since: datetime, until: datetime
                     ) -> dict[str, list[str]]:
    """Items created in [since, until), grouped by council account.

    Deleted ones are asked about again too, so a rerun of an interval asks the
    same question (and lands the same exchange) as the first run.
    """
    with engine.connect() as conn:
        rows = repo.items_created_between(conn, platform, since, until)
    grouped: dict[str, list[str]] = {}
    for account_key, external_id in rows:
        grouped.setdefault(account_key, []).append(external_id)
    return grouped


def recheck_recent(engine: Engine, config, connector, interval_start: datetime,
                   interval_end: datetime) -> RecheckSummary:
    """Ask X again about the items created in the `archive.recheck_days` before
    interval_end and land the answers as raw pages of (interval_start, interval_end]."""
    summary = RecheckSummary()
    days = config.archive.recheck_days
    if days == 0:
        return summary
    since = interval_end - timedelta(days=days)
    for account_key, ids in items_to_recheck(engine, "twitter", since, interval_end).items():
        pages, stopped = connector.lookup(account_key, ids, endpoint=LOOKUP_ENDPOINT,
                                          batch=LOOKUP_BATCH)
        summary.checked += len(ids)
        with engine.begin() as conn:
            summary.new_pages += record_fetch(
                conn, FetchKey("twitter", account_key, LOOKUP_ENDPOINT, interval_end),
                interval_start=interval_start, plan=FetchPlan(since_id=None, start_time=since),
                pages=pages, newest_id=None, complete=stopped is None, stopped_reason=stopped)
        summary.pages += len(pages)
        if stopped:
            summary.stopped = stopped
            log.warning("re-check stopped at %s (%s); the rest waits for the next run",
                        account_key, stopped)
            break
    log.info("re-checked %d items: %d pages landed (%d new)", summary.checked, summary.pages,
             summary.new_pages)
    return summary
