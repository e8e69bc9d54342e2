"""communications_grid and publish_posts run through Airflow (dag.test) end to end."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from council_social.grid.planner import PlannerEntry
from council_social.grid.repo import upsert_entries
from tests.conftest import SIM_NOW

pytestmark = pytest.mark.airflow

BUILT_FOR = datetime(2026, 11, 25, 6, tzinfo=UTC)


@pytest.fixture
def grid_env(monkeypatch, simulator, database_url, config, tmp_path):
    from council_social import airflow as adapter

    data = yaml.safe_load(config.source_path.read_text())
    data["grid"]["output_dir"] = str(tmp_path / "grid")
    council = tmp_path / "council.yaml"
    council.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("COUNCIL_SOCIAL_CONFIG", str(council))
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    main = config.account("brent-council")
    monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER", json.dumps({
        "conn_type": "http", "host": simulator.base_url,
        "password": config.simulator.bearer_token,
        "extra": {"user_tokens": {main.key: simulator.user_token(main.external_id)}}}))
    # The Page access token is the Connection's password, as for ingest_facebook.
    monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_FACEBOOK", json.dumps({
        "conn_type": "http", "host": simulator.base_url,
        "password": config.simulator.bearer_token}))
    adapter.config.cache_clear()
    yield tmp_path / "grid"
    adapter.config.cache_clear()


def test_grid_dag_reruns_identically_and_publish_posts_once(dags, grid_env, clean_db, simulator):
    from council_social.airflow import run_dag

    with clean_db.begin() as conn:
        upsert_entries(conn, [PlannerEntry(
            key="gritting", title="Winter weather: gritting routes",
            message="Cold weather is on the way. See which roads we grit.",
            channels=("brent-council", "brent-facebook", "brent-instagram"),
            earliest=date(2026, 11, 25),
            latest=date(2026, 11, 25), owner="Emergency Planning", priority="essential",
            status="approved", campaign="winter", essential=True)], "test", SIM_NOW)
    # dag.test infers a manual run's data interval as the one ending at the date given.
    logical = BUILT_FOR
    assert run_dag(dags["communications_grid"], logical) == "success"
    first = {p.name: p.read_bytes() for p in grid_env.iterdir()}
    assert {"latest.html", "latest.csv", "latest.ics"} <= set(first)
    assert run_dag(dags["communications_grid"], logical) == "success"
    assert {p.name: p.read_bytes() for p in grid_env.iterdir()} == first
    assert b"post by hand: Instagram publishing needs a hosted image" in first["latest.html"]
    assert b"entry scheduled" in first["latest.html"]

    due = SIM_NOW + timedelta(minutes=5)  # the interval [12:00, 12:05) holds the 12:00 slot
    assert run_dag(dags["publish_posts"], due) == "success"
    assert run_dag(dags["publish_posts"], due) == "success"
    (tweet,) = simulator.posted_tweets
    assert tweet.text.startswith("Cold weather is on the way")
    (fb,) = simulator.channels.facebook_posted
    assert fb["message"] == tweet.text
    with clean_db.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("SELECT account_key, status, external_id "
                                 "FROM social.post_attempts ORDER BY account_key")).all()
        status = conn.execute(text("SELECT status FROM social.planner_entries")).scalar()
    assert [tuple(r) for r in rows] == [("brent-council", "posted", tweet.id_str),
                                        ("brent-facebook", "posted", fb["id"])]
    # Instagram is posted by hand, so the entry is not yet published everywhere.
    assert status == "scheduled"
