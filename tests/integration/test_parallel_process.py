"""Overlapping process_interval runs on a real PostgreSQL: no deadlock, the serial result.

Every interval names the same authors, each in its own shuffled order, which is
what deadlocked the authors upsert (`DeadlockDetected ... relation "authors"`)
when two runs inserted the same new authors in different orders.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from council_social.pipeline.backfill import reprocess_span
from council_social.pipeline.process import process_interval
from council_social.store.tables import raw_pages
from tests.conftest import snapshot

pytestmark = pytest.mark.postgres

INTERVALS = 4
AUTHORS = 300
HOUR = timedelta(hours=1)
# Further apart than the 90-day influence window, so each interval's triage reads only
# its own items and the result cannot depend on which interval committed first.
SPACING = timedelta(days=100)
BASE = datetime(2025, 1, 1, 12, tzinfo=UTC)
DERIVED = ("items", "item_versions", "authors", "quarantine", "process_batches",
           "triage_decisions", "processed_pages")


def interval_end(k: int) -> datetime:
    return BASE + k * SPACING + HOUR


def author(n: int, k: int) -> dict:
    # The location changes between intervals, so the newest observation must win. (Not
    # the audience: triage reads the author's current row, which in a parallel run may
    # already be a later interval's.)
    return {"id": str(1_800_000_000_000 + n), "username": f"resident{n}",
            "name": f"Resident {n}", "public_metrics": {"followers_count": n * 10},
            "location": f"Harlesden, visit {k}"}


def land_intervals(engine) -> None:
    rows = []
    for k in range(INTERVALS):
        end = interval_end(k)
        created = end - timedelta(minutes=30)
        order = list(range(AUTHORS))
        random.Random(k).shuffle(order)
        for page_number, first in enumerate(range(0, AUTHORS, 100)):
            chunk = order[first:first + 100]
            body = json.dumps({
                "data": [{"id": str(1_900_000_000_000_000 + k * 10_000 + n),
                          "text": f"@Brent_Council bins not collected on road {n}",
                          "author_id": author(n, k)["id"], "lang": "en",
                          "created_at": created.isoformat().replace("+00:00", "Z")}
                         for n in chunk],
                # The whole shuffled population on every page: the upsert's row order.
                "includes": {"users": [author(n, k) for n in order]},
                "meta": {"result_count": len(chunk)},
            }).encode()
            rows.append({
                "platform": "twitter", "account_key": "brent-council",
                "endpoint": "users/1/mentions", "request_url": "https://api.x.com/2/mentions",
                "request_params": {}, "interval_start": end - HOUR, "interval_end": end,
                "page_number": page_number, "fetched_at": created + timedelta(minutes=1),
                "status": 200, "headers": {}, "body": body,
                "sha256": hashlib.sha256(body).hexdigest(),
            })
    with engine.begin() as conn:
        conn.execute(insert(raw_pages), rows)


def empty_derived(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f"social.{t}" for t in DERIVED)))


def run_all_at_once(engine, config, jobs) -> list:
    """Start every job together (a barrier), each in its own thread and transaction."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return [f.result() for f in [pool.submit(run, job) for job in jobs]]


def test_overlapping_intervals_sharing_authors_equal_a_serial_run(clean_db, config):
    land_intervals(clean_db)
    for k in range(INTERVALS):
        process_interval(clean_db, config, interval_end(k) - HOUR, interval_end(k))
    serial = snapshot(clean_db)
    assert len(serial["authors"]) == AUTHORS
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT DISTINCT location FROM social.authors")).scalars().all() \
            == [f"Harlesden, visit {INTERVALS - 1}"]
    assert len(serial["items"]) == INTERVALS * AUTHORS
    assert len(serial["triage_decisions"]) == INTERVALS * AUTHORS

    for _ in range(3):  # a deadlock is a race: give it several chances
        empty_derived(clean_db)
        rows = run_all_at_once(clean_db, config, [
            (lambda k=k: process_interval(clean_db, config, interval_end(k) - HOUR,
                                          interval_end(k)))
            for k in range(INTERVALS)
        ])
        assert [r["stored"] for r in rows] == [AUTHORS] * INTERVALS
        assert snapshot(clean_db) == serial


def test_reprocess_span_replaces_the_hourly_accounting_with_one_row_a_day(clean_db, config):
    land_intervals(clean_db)
    end = interval_end(0)
    process_interval(clean_db, config, end - HOUR, end)
    day = end.replace(hour=0)
    totals = reprocess_span(clean_db, config, day, day + timedelta(days=2))
    assert totals["days"] == 2 and totals["stored"] == AUTHORS
    with clean_db.connect() as conn:
        batches = conn.execute(text(
            "SELECT interval_start, interval_end, stored FROM social.process_batches"
            " ORDER BY interval_start")).all()
    assert [tuple(b) for b in batches] == [(day, day + timedelta(days=1), AUTHORS),
                                           (day + timedelta(days=1), day + timedelta(days=2), 0)]
