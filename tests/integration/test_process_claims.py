"""Overlapping process_items runs read each raw page once (pipeline.claims), on PostgreSQL.

The shape of a live hour: X lands a batch of pages every quarter hour, each
announced; an asset-triggered run reads the new batch, a later one also takes
whatever is still waiting, and the hourly run covers the whole hour.
"""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from council_social.pipeline.backfill import reprocess_span
from council_social.pipeline.claims import claim_pages, pages_to_read, unprocessed_window
from council_social.pipeline.process import process_interval
from council_social.store.tables import raw_pages
from tests.conftest import snapshot

pytestmark = pytest.mark.postgres

Q = timedelta(minutes=15)
HOUR = timedelta(hours=1)
T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the hour (T, T + HOUR]
PAGES_PER_INGEST = 3
TWEETS_PER_PAGE = 10


def page_row(end: datetime, number: int, first_tweet: int) -> dict:
    created = end - timedelta(minutes=5)
    body = json.dumps({
        "data": [{"id": str(1_900_000_000_000_000 + n), "text": f"@Brent_Council bin {n} missed",
                  "author_id": str(1_800_000_000_000 + n % 7), "lang": "en",
                  "created_at": created.isoformat().replace("+00:00", "Z")}
                 for n in range(first_tweet, first_tweet + TWEETS_PER_PAGE)],
        "includes": {"users": [{"id": str(1_800_000_000_000 + a), "username": f"resident{a}",
                                "name": f"Resident {a}"} for a in range(7)]},
        "meta": {"result_count": TWEETS_PER_PAGE},
    }).encode()
    return {"platform": "twitter", "account_key": "brent-council", "endpoint": "users/1/mentions",
            "request_url": "https://api.x.com/2/mentions", "request_params": {},
            "interval_start": end - Q, "interval_end": end, "page_number": number,
            "fetched_at": end + timedelta(seconds=number), "status": 200, "headers": {},
            "body": body, "sha256": hashlib.sha256(body).hexdigest()}


def land(engine, end: datetime) -> None:
    """One quarter hour's ingest: new tweets only (their ids follow the interval)."""
    base = int((end - T) / Q) * PAGES_PER_INGEST * TWEETS_PER_PAGE
    with engine.begin() as conn:
        conn.execute(insert(raw_pages), [page_row(end, p, base + p * TWEETS_PER_PAGE)
                                         for p in range(PAGES_PER_INGEST)])


def scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_asset_runs_then_the_hourly_run_read_each_page_once(clean_db, config):
    rows = []
    for k in (1, 2):  # two quarter hours, each announced and processed as it lands
        land(clean_db, T + k * Q)
        rows.append(process_interval(clean_db, config, T + (k - 1) * Q, T + k * Q))
    land(clean_db, T + 3 * Q)
    # Its event's run also takes anything waiting: a window over all three quarters.
    rows.append(process_interval(clean_db, config, T, T + 3 * Q))
    with clean_db.connect() as conn:
        assert pages_to_read(conn, T, T + HOUR) == 0
    rows.append(process_interval(clean_db, config, T, T + HOUR))  # the hourly safety net

    pages = 3 * PAGES_PER_INGEST
    assert [r["raw_pages"] for r in rows] == [PAGES_PER_INGEST] * 3 + [0]
    assert sum(r["records"] for r in rows) == pages * TWEETS_PER_PAGE
    assert sum(r["stored"] for r in rows) == scalar(clean_db, "SELECT count(*) FROM social.items") \
        == pages * TWEETS_PER_PAGE
    assert sum(r["duplicates"] for r in rows) == 0
    assert scalar(clean_db, "SELECT count(*) FROM social.item_versions") == pages * TWEETS_PER_PAGE
    with clean_db.connect() as conn:
        assert unprocessed_window(conn) is None


def test_two_overlapping_runs_at_once_read_each_page_once_and_store_each_item_once(
        clean_db, config):
    for k in (1, 2):
        land(clean_db, T + k * Q)
    windows = [(T, T + 2 * Q), (T, T + HOUR)]  # an asset-triggered run and the hourly one
    for _ in range(3):  # a race: give it several chances
        with clean_db.begin() as conn:
            conn.execute(text("TRUNCATE social.items, social.item_versions, social.authors,"
                              " social.quarantine, social.process_batches,"
                              " social.triage_decisions, social.processed_pages"))
        barrier = threading.Barrier(len(windows))

        def run(window, barrier=barrier):
            barrier.wait()
            return process_interval(clean_db, config, *window)

        with ThreadPoolExecutor(max_workers=len(windows)) as pool:
            rows = list(pool.map(run, windows))
        assert sorted(r["raw_pages"] for r in rows) == [0, 2 * PAGES_PER_INGEST]
        assert sum(r["stored"] for r in rows) == 2 * PAGES_PER_INGEST * TWEETS_PER_PAGE
        assert sum(r["duplicates"] for r in rows) == 0
        assert scalar(clean_db, "SELECT count(*) FROM social.items") \
            == scalar(clean_db, "SELECT count(*) FROM social.item_versions") \
            == 2 * PAGES_PER_INGEST * TWEETS_PER_PAGE


def test_a_rerun_of_the_same_interval_reads_its_own_pages_and_leaves_the_same_state(
        clean_db, config):
    land(clean_db, T + Q)
    first = process_interval(clean_db, config, T, T + Q)
    land(clean_db, T + 2 * Q)
    process_interval(clean_db, config, T, T + HOUR)
    before = snapshot(clean_db)

    again = process_interval(clean_db, config, T, T + Q)
    assert again == first and again["raw_pages"] == PAGES_PER_INGEST
    process_interval(clean_db, config, T, T + HOUR)
    assert snapshot(clean_db) == before


def test_a_backfill_rereads_every_page_and_takes_it_over(clean_db, config):
    for k in (1, 2):
        land(clean_db, T + k * Q)
        process_interval(clean_db, config, T + (k - 1) * Q, T + k * Q)
    items = scalar(clean_db, "SELECT count(*) FROM social.items")

    day = T.replace(hour=0)
    totals = reprocess_span(clean_db, config, day, day + timedelta(days=1))
    assert totals["raw_pages"] == 2 * PAGES_PER_INGEST
    assert totals["stored"] == totals["records"] == items and totals["duplicates"] == 0
    assert scalar(clean_db, "SELECT count(*) FROM social.items") == items
    assert scalar(clean_db, "SELECT count(DISTINCT (batch_start, batch_end))"
                            " FROM social.processed_pages") == 1
    # The quarter hours' pages are the day's now: rerunning one reads nothing.
    assert process_interval(clean_db, config, T, T + Q)["raw_pages"] == 0
    again = reprocess_span(clean_db, config, day, day + timedelta(days=1))
    assert again == totals


def test_unprocessed_window_is_what_no_run_has_read(clean_db):
    with clean_db.begin() as conn:
        assert unprocessed_window(conn) is None
    for k in (1, 2, 3):
        land(clean_db, T + k * Q)
    with clean_db.begin() as conn:
        assert unprocessed_window(conn) == (T, T + 3 * Q)
        assert len(claim_pages(conn, T, T + Q)) == PAGES_PER_INGEST
        assert unprocessed_window(conn) == (T + Q, T + 3 * Q)
        # An overlapping window claims only the pages nobody holds.
        assert len(claim_pages(conn, T, T + 2 * Q)) == PAGES_PER_INGEST
        assert pages_to_read(conn, T, T + 2 * Q) == PAGES_PER_INGEST  # its own, for a rerun
        assert pages_to_read(conn, T, T + HOUR) == PAGES_PER_INGEST  # the third quarter
        assert len(claim_pages(conn, T + 2 * Q, T + 3 * Q)) == PAGES_PER_INGEST
        assert unprocessed_window(conn) is None
        assert pages_to_read(conn, T, T + HOUR) == 0


def test_the_migration_gives_each_read_page_to_the_longest_batch_that_covered_it(clean_db):
    from alembic import command

    from council_social.store.migrate import alembic_config, upgrade
    from council_social.store.tables import process_batches

    def batch(start, end):
        return {"interval_start": start, "interval_end": end, "raw_pages": 0, "records": 0,
                "stored": 0, "duplicates": 0, "quarantined": 0, "page_problems": 0,
                "counts_by_account": {}}

    for k in (1, 2, 3):
        land(clean_db, T + k * Q)
    with clean_db.begin() as conn:
        # A deployment before the record: quarter-hour and hourly batches overlapping.
        command.downgrade(alembic_config(conn), "0032_processed_pages@-1")
        conn.execute(process_batches.insert(), [batch(T, T + Q), batch(T, T + 2 * Q),
                                                batch(T, T + HOUR)])
    upgrade(clean_db)
    with clean_db.connect() as conn:
        held = conn.execute(text("SELECT DISTINCT batch_start, batch_end"
                                 " FROM social.processed_pages")).all()
        assert [tuple(h) for h in held] == [(T, T + HOUR)]
        assert scalar(clean_db, "SELECT count(*) FROM social.processed_pages") \
            == 3 * PAGES_PER_INGEST
        assert unprocessed_window(conn) is None
