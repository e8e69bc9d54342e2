"""Both DAGs run through Airflow (dag.test) against the simulator and real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import SIM_NOW, snapshot

pytestmark = pytest.mark.airflow

PROCESS_INTERVAL = timedelta(hours=1)


def run_cycle(dags, interval_ends):
    from council_social.airflow import run_dag

    for end in interval_ends:
        assert run_dag(dags["ingest_twitter"], end) == "success"
        assert run_dag(dags["process_items"], end) == "success"


def test_two_intervals_then_a_rerun_leaves_every_table_identical(
    dags, airflow_connections, clean_db, config
):
    ends = [SIM_NOW - PROCESS_INTERVAL, SIM_NOW]
    run_cycle(dags, ends)
    first = snapshot(clean_db)
    with clean_db.connect() as conn:
        batches = conn.execute(text(
            "SELECT records, stored, duplicates, quarantined FROM social.process_batches"
        )).all()
        accounts = conn.execute(text("SELECT count(*) FROM social.accounts")).scalar()
        unowned_pages = conn.execute(text(
            "SELECT count(*) FROM social.raw_pages p WHERE NOT EXISTS (SELECT 1 FROM"
            " social.process_batches b WHERE p.interval_end > b.interval_start"
            " AND p.interval_end <= b.interval_end)"
        )).scalar()
        watermarks = conn.execute(text("SELECT count(*) FROM social.ingest_watermarks")).scalar()
    assert len(batches) == 2
    assert unowned_pages == 0  # every landed page was processed by the run that owns it
    assert sum(b.stored for b in batches) == len(first["items"]) > 0
    assert all(b.records == b.stored + b.duplicates + b.quarantined for b in batches)
    assert accounts == len(config.accounts)
    assert watermarks >= len(config.accounts_for("twitter"))

    run_cycle(dags, ends)
    assert snapshot(clean_db) == first


def test_backfill_is_accepted_for_process_items(dags, airflow_connections):
    # Airflow refuses backfills of asset-only schedules; process_items must stay periodic.
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "backfill", "create", "--dag-id", "process_items",
         "--from-date", "2026-11-20T00:00:00+00:00", "--to-date", "2026-11-20T02:00:00+00:00",
         "--dry-run"],
        capture_output=True, text=True, env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for hour in ("00", "01", "02"):
        assert f"2026-11-20 {hour}:00:00+00:00" in done.stdout
