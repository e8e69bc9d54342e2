"""Runs triggered as the UI's Trigger button does: no logical date, only run_after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import SIM_NOW

pytestmark = pytest.mark.airflow


def trigger(dag, run_after):
    """What `airflow dags trigger DAG` (and the UI) creates: a manual run, logical date None."""
    run = dag.test(logical_date=None, run_after=run_after)
    assert run.logical_date is None
    return run


def task_states(run) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}


def test_a_manual_ingest_fetches_up_to_the_click_and_process_takes_what_is_left(
    dags, airflow_connections, clean_db, config
):
    clicked = SIM_NOW - timedelta(minutes=7)  # inside a 15-minute slot, not on its edge
    run = trigger(dags["ingest_twitter"], clicked)
    assert str(getattr(run.state, "value", run.state)) == "success", task_states(run)
    with clean_db.connect() as conn:
        fetch_ends = set(conn.execute(text(
            "SELECT DISTINCT interval_end FROM social.ingest_fetches")).scalars())
        page_intervals = set(conn.execute(text(
            "SELECT DISTINCT interval_start, interval_end FROM social.raw_pages")).all())
    assert fetch_ends == {clicked}
    # The part of the current slot already past: from the last slot edge up to the click.
    assert page_intervals == {(SIM_NOW - timedelta(minutes=15), clicked)}

    run = trigger(dags["process_items"], SIM_NOW)
    assert str(getattr(run.state, "value", run.state)) == "success", task_states(run)
    assert task_states(run) == {"process_raw_pages": "success"}
    with clean_db.connect() as conn:
        batches = conn.execute(text(
            "SELECT interval_start, interval_end, raw_pages, stored FROM social.process_batches")).all()
        pages = conn.execute(text("SELECT count(*) FROM social.raw_pages")).scalar()
    assert [(b.interval_start, b.interval_end) for b in batches] == [
        (SIM_NOW - timedelta(minutes=15), clicked)]
    assert batches[0].raw_pages == pages > 0
    assert batches[0].stored > 0

    # Nothing is left waiting: a second click is skipped, not failed, and writes nothing.
    run = trigger(dags["process_items"], SIM_NOW + timedelta(minutes=1))
    assert str(getattr(run.state, "value", run.state)) == "success"
    assert task_states(run) == {"process_raw_pages": "skipped"}
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.process_batches")).scalar() == 1


def test_a_manual_ingest_after_a_scheduled_one_carries_on_from_its_watermark(
    dags, airflow_connections, clean_db
):
    from council_social.airflow import run_dag

    slot_end = SIM_NOW - timedelta(minutes=15)
    assert run_dag(dags["ingest_twitter"], slot_end) == "success"
    trigger(dags["ingest_twitter"], SIM_NOW - timedelta(minutes=5))
    with clean_db.connect() as conn:
        fetches = conn.execute(text(
            "SELECT interval_end, since_id FROM social.ingest_fetches ORDER BY interval_end")).all()
    ends = sorted({f.interval_end for f in fetches})
    assert ends == [slot_end, SIM_NOW - timedelta(minutes=5)]
    # The manual run asked from the scheduled run's watermark, not from the lookback.
    assert all(f.since_id for f in fetches if f.interval_end == ends[-1])
