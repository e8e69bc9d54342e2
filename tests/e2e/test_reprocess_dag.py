"""The reprocess DAG through Airflow (dag.test) against the simulator and real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import SIM_NOW

pytestmark = pytest.mark.airflow

HOUR = timedelta(hours=1)


def reprocess(dag, **conf) -> str:
    run = dag.test(run_conf=conf)
    return str(getattr(run.state, "value", run.state))


def test_reprocess_of_a_day_triages_every_item_and_opens_no_case(dags, airflow_connections,
                                                                   clean_db, config):
    from council_social.airflow import run_dag

    for end in (SIM_NOW - HOUR, SIM_NOW):
        assert run_dag(dags["ingest_twitter"], end) == "success"
        assert run_dag(dags["process_items"], end) == "success"
    with clean_db.begin() as conn:
        conn.execute(text("TRUNCATE social.triage_decisions"))  # as if under older rules

    day = f"{SIM_NOW:%Y-%m-%d}"
    assert reprocess(dags["reprocess"], **{"from": day, "to": day,
                                           "rules_version": config.triage.rules_version}) \
        == "success"
    with clean_db.connect() as conn:
        items = conn.execute(text("SELECT count(*) FROM social.items")).scalar()
        decided = conn.execute(text(
            "SELECT count(*) FROM social.triage_decisions WHERE rules_version = :v"),
            {"v": config.triage.rules_version}).scalar()
        batches = conn.execute(text(
            "SELECT interval_start, interval_end FROM social.process_batches")).all()
        cases = conn.execute(text("SELECT count(*) FROM social.cases")).scalar()
    assert items > 0 and decided == items
    # The day's row replaced the two hourly rows inside it.
    assert [(s.isoformat(), e - s) for s, e in batches] == [
        (SIM_NOW.replace(hour=0).isoformat(), timedelta(days=1))]
    assert cases == 0


def test_reprocess_under_rules_not_deployed_fails_before_touching_anything(
        dags, airflow_connections, clean_db):
    day = f"{SIM_NOW:%Y-%m-%d}"
    assert reprocess(dags["reprocess"], **{"from": day, "to": day,
                                           "rules_version": "not-deployed"}) == "failed"
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.process_batches")).scalar() == 0
