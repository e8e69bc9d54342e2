"""process_items for one data interval: parse, validate, store, account.

Reads only raw pages (never a platform), so a backfill over a past year
re-processes the archive under today's rules (`council_social.pipeline.backfill`).
It is the only writer of items and authors: the archive's re-check lands its
lookups as raw pages, stored here as a second batch (edits become versions)
with their deletions tombstoned. A run reads only the pages no other run has
read (`pipeline.claims`), so asset-triggered and hourly runs that overlap read
each page once.

Memory stays flat however long the interval: pages are read, parsed and
validated a chunk at a time, accepted items are COPYed into a staging table
and quarantine rows inserted per chunk; only a digest per id and the merged
authors span the interval. The merge into `social.*` happens once per batch,
in key order, in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from council_social.archive.tombstones import LOOKUP_ENDPOINT as RECHECK_ENDPOINT
from council_social.archive.tombstones import record_deletions
from council_social.channels.registry import parse_page
from council_social.pipeline.claims import claim_pages, pages_with_bodies
from council_social.store import ingest_repo, items_repo
from council_social.triage.pipeline import triage_stored
from council_social.validation.batch import BatchOutcome, IntervalEvaluator, PageRef
from council_social.validation.suite import ValidationLimits

log = logging.getLogger(__name__)

# About 20,000 X items a chunk: large enough that GX's per-call cost is small, small
# enough that a chunk's parsed pages and frame stay well under 200 MiB.
PAGES_PER_CHUNK = 200
TRIAGE_BATCH = 20_000

RELATIONSHIP_ENDPOINTS = frozenset({"followers", "following"})


def limits_from(config) -> ValidationLimits:
    v = config.validation
    return ValidationLimits(
        text_max_bytes=v.text_max_bytes,
        future_skew_seconds=timedelta(minutes=v.future_skew_minutes).total_seconds(),
        earliest_created_at=v.earliest_created_at,
        language_pattern=v.language_pattern,
    )


def process_interval(engine: Engine, config, start: datetime, end: datetime, *,
                     supersede_contained: bool = False,
                     pages_per_chunk: int = PAGES_PER_CHUNK) -> dict:
    """Process the raw pages of (start, end] that no other run has read; returns the
    batch's accounting row.

    `supersede_contained` (backfills) reads every page of the interval, taking each
    over from the run that read it, and first deletes the accounting rows of shorter
    intervals inside this one: their pages are this run's now, counted once.
    """
    if start >= end:
        raise ValueError(f"empty interval {start.isoformat()} .. {end.isoformat()}")
    with engine.begin() as conn:
        if supersede_contained:
            items_repo.delete_contained_batches(conn, start, end)
        # Only pages no other run has read: overlapping runs read each page once.
        refs = claim_pages(conn, start, end, take_over=supersede_contained)
        # Follower lists (promotion) are pages of people, not posts: archived, not items.
        refs = [r for r in refs if r.endpoint not in RELATIONSHIP_ENDPOINTS]
        pages = [r for r in refs if r.endpoint != RECHECK_ENDPOINT]
        rechecks = [r for r in refs if r.endpoint == RECHECK_ENDPOINT]
        first = _store_pages(conn, config, pages, pages_per_chunk)
        row = items_repo.record_batch(conn, start, end, len(refs), first)
    deleted: list[str] = []
    if rechecks:
        # The re-check's answers are a second batch in a second transaction, after the
        # first: an edited text is a newer version of an item the first may hold, not a
        # clash within one batch. A failure here leaves the first, which a rerun repeats.
        with engine.begin() as conn:
            second = _store_pages(conn, config, rechecks, pages_per_chunk)
            deleted = record_deletions(conn, pages_with_bodies(conn, [r.id for r in rechecks]))
            row = items_repo.record_batch(conn, start, end, len(refs), _combined(first, second))
    log.info(
        "processed %s..%s: %d pages, %d records, %d stored, %d duplicates, %d quarantined,"
        " %d newly deleted", start.isoformat(), end.isoformat(), row["raw_pages"],
        row["records"], row["stored"], row["duplicates"], row["quarantined"], len(deleted),
    )
    return {**row, "deleted": len(deleted)}


def _store_pages(conn: Connection, config, refs: list, pages_per_chunk: int) -> BatchOutcome:
    """Validate and store one batch of pages a chunk at a time; returns its totals."""
    items_repo.delete_quarantine(conn, [r.id for r in refs])
    evaluator = IntervalEvaluator(limits_from(config))
    # Error exchanges are archived, not processed: they carry no items.
    wanted = [r for r in refs if 200 <= r.status < 300]
    for first in range(0, len(wanted), pages_per_chunk):
        chunk = wanted[first:first + pages_per_chunk]
        outcome = evaluator.add(list(_parsed_pages(conn, chunk)))
        items_repo.insert_quarantine(conn, outcome.quarantined)
        items_repo.stage_items(conn, outcome.accepted)
        del outcome
    items_repo.write_author_records(conn, evaluator.authors)
    items_repo.stage_items(conn, [])  # the staging table exists even when nothing was accepted
    items_repo.merge_staged_items(conn)
    # Every stored item gets a triage decision under the current rules version.
    for keys in items_repo.staged_item_keys(conn, TRIAGE_BATCH):
        triage_stored(conn, config, keys)
    items_repo.drop_stage(conn)
    return evaluator.totals


def _parsed_pages(conn: Connection, refs: list) -> Iterator[tuple[PageRef, object]]:
    bodies = ingest_repo.raw_page_bodies(conn, [r.id for r in refs])
    for page in refs:
        ref = PageRef(page.id, page.platform, page.account_key, page.fetched_at)
        page_items = parse_page(page.platform, bytes(bodies.pop(page.id)), page.account_key)
        if page.endpoint == RECHECK_ENDPOINT and page_items.problem and not page_items.items:
            # A re-check whose every post was deleted: its tombstones say so.
            continue
        yield ref, page_items


def _combined(first: BatchOutcome, second: BatchOutcome) -> BatchOutcome:
    """One accounting over two batches' totals."""
    total = BatchOutcome(
        records=first.records + second.records,
        duplicates=first.duplicates + second.duplicates,
        page_problems=first.page_problems + second.page_problems,
        stored_count=first.stored + second.stored,
        quarantined_count=first.quarantined_items + second.quarantined_items,
    )
    for batch in (first, second):
        for account, counts in batch.by_account.items():
            for what, n in counts.items():
                total.count(account, what, n)
    return total
