"""response_watch through Airflow (dag.test): real PostgreSQL, the SMTP provider's hook and a
real SMTP server on loopback. Reruns open no second case and send no second email."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.cases_support import add_decision, add_item, at, smtp_server
from tests.conftest import snapshot

pytestmark = pytest.mark.airflow

T0 = at("2026-11-24T10:00:00")
STEP = timedelta(minutes=15)


@pytest.fixture(scope="module")
def dags(airflow_metadata):
    from council_social.airflow import load_dags
    from council_social.local_airflow import DAGS_FOLDER

    # Only this DAG file: the others are not under test here.
    return load_dags(DAGS_FOLDER / "response_watch.py")


@pytest.fixture
def inbox(monkeypatch, database_url, config):
    with smtp_server() as inbox:
        monkeypatch.setenv(f"AIRFLOW_CONN_{config.notifications.smtp_connection_id.upper()}",
                           json.dumps({
                               "conn_type": "smtp", "host": inbox.host, "port": inbox.port,
                               "extra": {"disable_tls": True, "disable_ssl": True,
                                         "retry_limit": 0, "timeout": 10},
                           }))
        monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
        yield inbox


def test_response_watch_sends_one_digest_per_team_and_reruns_send_nothing(
    dags, inbox, clean_db, config
):
    from council_social.airflow import run_dag

    with clean_db.begin() as conn:
        for n, outcome, dept in (("1", "customer_service", "waste-recycling"),
                                 ("2", "service_conversation", "libraries"),
                                 ("3", "customer_service", "waste-recycling")):
            add_item(conn, n, T0)
            add_decision(conn, config, n, T0, outcome=outcome, department=dept)
    dag = dags["response_watch"]
    # dag.test() infers the manual data interval that ends at the date it is given.
    assert run_dag(dag, T0 + STEP) == "success"
    first = snapshot(clean_db)
    assert len(first["cases"]) == 3
    assert sorted(m["to"][0] for m in inbox.messages) == sorted([
        config.team("libraries").email, config.team("waste-recycling").email])

    with clean_db.connect() as conn:
        # "now" is the data interval end, never the wall clock.
        assert conn.execute(text("SELECT DISTINCT recorded_at FROM social.case_events")).scalars()\
            .all() == [T0 + STEP]
    assert run_dag(dag, T0 + STEP) == "success"  # a rerun of the same interval
    assert snapshot(clean_db) == first
    assert len(inbox.messages) == 2

    # The 24-hour deadline passes in the interval ending T0 + 24 h.
    assert run_dag(dag, T0 + timedelta(hours=24)) == "success"
    assert len(inbox.messages) == 3
    msg = inbox.parsed()[-1]
    waste = config.team("waste-recycling")
    assert msg["To"] == waste.email and waste.lead_officer.email in msg["Cc"]
    assert msg["From"] == config.notifications.from_email
    assert "Escalated" in msg.get_body(("html",)).get_content()
    with clean_db.connect() as conn:
        statuses = conn.execute(text("SELECT status, count(*) FROM social.cases GROUP BY 1")).all()
    assert dict(statuses) == {"overdue": 2, "open": 1}
