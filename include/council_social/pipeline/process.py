"""process_items for one data interval: parse, validate, store, account.

Reads only raw pages (never a platform), so a backfill over a past year
re-processes the archive under today's rules.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine

from council_social.archive.recheck import LOOKUP_ENDPOINT as RECHECK_ENDPOINT
from council_social.channels.registry import parse_page
from council_social.store import ingest_repo, items_repo
from council_social.triage.pipeline import triage_stored
from council_social.validation.batch import PageRef, evaluate
from council_social.validation.suite import ValidationLimits

log = logging.getLogger(__name__)


def limits_from(config) -> ValidationLimits:
    v = config.validation
    return ValidationLimits(
        text_max_bytes=v.text_max_bytes,
        future_skew_seconds=timedelta(minutes=v.future_skew_minutes).total_seconds(),
        earliest_created_at=v.earliest_created_at,
        language_pattern=v.language_pattern,
    )


def process_interval(engine: Engine, config, start: datetime, end: datetime) -> dict:
    """Process the raw pages of (start, end]; returns the batch's accounting row."""
    if start >= end:
        raise ValueError(f"empty interval {start.isoformat()} .. {end.isoformat()}")
    with engine.begin() as conn:
        pages = ingest_repo.raw_pages_for_interval(conn, start, end)
        parsed = []
        for page in pages:
            if not 200 <= page.status < 300:
                # Error exchanges are archived, not processed: they carry no items.
                continue
            ref = PageRef(page.id, page.platform, page.account_key, page.fetched_at)
            page_items = parse_page(page.platform, bytes(page.body), page.account_key)
            if page.endpoint == RECHECK_ENDPOINT and page_items.problem and not page_items.items:
                # A re-check whose every post was deleted: the archive keeps the tombstones.
                continue
            parsed.append((ref, page_items))
        outcome = evaluate(parsed, limits_from(config))
        items_repo.replace_quarantine(conn, [p.id for p in pages], outcome)
        items_repo.write_authors(conn, outcome)
        items_repo.write_items(conn, outcome)
        # Every stored item gets a triage decision under the current rules version.
        triage_stored(conn, config, sorted({(a.page.platform, a.item.external_id)
                                            for a in outcome.accepted}))
        row = items_repo.record_batch(conn, start, end, len(pages), outcome)
    log.info(
        "processed %s..%s: %d pages, %d records, %d stored, %d duplicates, %d quarantined",
        start.isoformat(), end.isoformat(), row["raw_pages"], row["records"], row["stored"],
        row["duplicates"], row["quarantined"],
    )
    return row
