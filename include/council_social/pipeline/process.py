"""process_items for one data interval: parse, validate, store, account.

Reads only raw pages (never a platform), so a backfill over a past year
re-processes the archive under today's rules. It is the only writer of items
and authors: the archive's re-check lands its lookups as raw pages, stored here
as a second batch (edits become versions) with their deletions tombstoned.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine

from council_social.archive.tombstones import LOOKUP_ENDPOINT as RECHECK_ENDPOINT
from council_social.archive.tombstones import record_deletions
from council_social.channels.registry import parse_page
from council_social.store import ingest_repo, items_repo
from council_social.triage.pipeline import triage_stored
from council_social.validation.batch import BatchOutcome, PageRef, evaluate
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
        parsed, rechecks = [], []
        for page in pages:
            if not 200 <= page.status < 300:
                # Error exchanges are archived, not processed: they carry no items.
                continue
            ref = PageRef(page.id, page.platform, page.account_key, page.fetched_at)
            page_items = parse_page(page.platform, bytes(page.body), page.account_key)
            if page.endpoint == RECHECK_ENDPOINT:
                if page_items.problem and not page_items.items:
                    # A re-check whose every post was deleted: its tombstones say so.
                    continue
                rechecks.append((ref, page_items))
            else:
                parsed.append((ref, page_items))
        limits = limits_from(config)
        outcome = evaluate(parsed, limits)
        _store(conn, config, [p.id for p in pages if p.endpoint != RECHECK_ENDPOINT], outcome)
        row = items_repo.record_batch(conn, start, end, len(pages), outcome)
    recheck_pages = [p for p in pages if p.endpoint == RECHECK_ENDPOINT]
    deleted: list[str] = []
    if recheck_pages:
        # The re-check's answers are a second batch in a second transaction, after the
        # first: an edited text is a newer version of an item the first may hold, not a
        # clash within one batch. A failure here leaves the first, which a rerun repeats.
        with engine.begin() as conn:
            second = evaluate(rechecks, limits)
            _store(conn, config, [p.id for p in recheck_pages], second)
            deleted = record_deletions(conn, recheck_pages)
            row = items_repo.record_batch(conn, start, end, len(pages),
                                          _combined([outcome, second]))
    log.info(
        "processed %s..%s: %d pages, %d records, %d stored, %d duplicates, %d quarantined,"
        " %d newly deleted", start.isoformat(), end.isoformat(), row["raw_pages"],
        row["records"], row["stored"], row["duplicates"], row["quarantined"], len(deleted),
    )
    return {**row, "deleted": len(deleted)}


def _store(conn, config, page_ids: list[int], outcome: BatchOutcome) -> None:
    items_repo.replace_quarantine(conn, page_ids, outcome)
    items_repo.write_authors(conn, outcome)
    items_repo.write_items(conn, outcome)
    # Every stored item gets a triage decision under the current rules version.
    triage_stored(conn, config, sorted({(a.page.platform, a.item.external_id)
                                        for a in outcome.accepted}))


def _combined(batches: list[BatchOutcome]) -> BatchOutcome:
    """One accounting over several batches (later batches win for authors)."""
    total = BatchOutcome()
    for b in batches:
        total.accepted += b.accepted
        total.authors.update(b.authors)
        total.quarantined += b.quarantined
        total.duplicates += b.duplicates
        total.records += b.records
        total.page_problems += b.page_problems
        for account, counts in b.by_account.items():
            for what, n in counts.items():
                total.count(account, what, n)
    return total
