"""The hourly process_items run after the asset-triggered ones: nothing left, so skipped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import SIM_NOW

pytestmark = pytest.mark.airflow

Q = timedelta(minutes=15)


def test_the_hourly_run_finds_every_page_read_and_is_skipped(dags, airflow_connections, clean_db,
                                                            config):
    from council_social.airflow import run_dag
    from council_social.pipeline.process import process_interval

    assert run_dag(dags["ingest_twitter"], SIM_NOW) == "success"
    # What the ingest run's asset event triggers: a run over its quarter hour.
    row = process_interval(clean_db, config, SIM_NOW - Q, SIM_NOW)
    assert row["raw_pages"] > 0 and row["stored"] > 0

    run = dags["process_items"].test(logical_date=SIM_NOW)
    assert {ti.task_id: str(getattr(ti.state, "value", ti.state))
            for ti in run.get_task_instances()} == {"process_raw_pages": "skipped"}
    with clean_db.connect() as conn:
        batches = conn.execute(text(
            "SELECT interval_start, interval_end FROM social.process_batches")).all()
    assert [tuple(b) for b in batches] == [(SIM_NOW - Q, SIM_NOW)]
