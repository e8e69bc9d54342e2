"""The DAGs no other end-to-end test runs, through Airflow (dag.test): every generated
ingest_<platform>, influence_daily, retrain_criticality and archive_retention."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
import yaml
from sqlalchemy import text

from tests.conftest import SIM_NOW

pytestmark = pytest.mark.airflow

CHANNELS = ("facebook", "instagram", "youtube", "flickr", "linkedin", "feed", "eventbrite")


@pytest.fixture
def env(monkeypatch, database_url, config, simulator, tmp_path):
    """Every platform's Connection pointing at the simulator; data and archive in tmp_path."""
    from council_social import airflow as adapter

    for settings in config.channels.configured().values():
        monkeypatch.setenv(f"AIRFLOW_CONN_{settings.connection_id.upper()}", json.dumps(
            {"conn_type": "http", "host": simulator.base_url,
             "password": config.simulator.bearer_token}))
    data = yaml.safe_load(config.source_path.read_text())
    data["storage"]["data_dir"] = str(tmp_path / "data")
    council = tmp_path / "council.yaml"
    council.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("COUNCIL_SOCIAL_CONFIG", str(council))
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", str(tmp_path / "archive"))
    adapter.config.cache_clear()
    yield tmp_path
    adapter.config.cache_clear()


def count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


@pytest.mark.parametrize("platform", CHANNELS)
def test_each_generated_ingest_dag_lands_its_platforms_pages(dags, env, clean_db, platform):
    from council_social.airflow import run_dag

    assert run_dag(dags[f"ingest_{platform}"], SIM_NOW) == "success"
    pages = count(clean_db, "SELECT count(*) FROM social.raw_pages WHERE platform = :p",
                  p=platform)
    assert pages > 0
    assert count(clean_db, "SELECT count(*) FROM social.raw_pages WHERE platform <> :p",
                 p=platform) == 0
    assert count(clean_db, "SELECT count(*) FROM social.ingest_fetches WHERE platform = :p"
                           " AND complete", p=platform) > 0


def test_influence_daily_scores_the_days_authors(dags, env, clean_db):
    from council_social.airflow import run_dag

    assert run_dag(dags["ingest_twitter"], SIM_NOW) == "success"
    assert run_dag(dags["process_items"], SIM_NOW) == "success"
    # The interval that ends at 00:30 the next day is SIM_NOW's day.
    next_day = datetime.combine(SIM_NOW.date() + timedelta(days=1), time(0, 30),
                                tzinfo=SIM_NOW.tzinfo)
    assert run_dag(dags["influence_daily"], next_day) == "success"
    scored = count(clean_db, "SELECT count(*) FROM social.author_influence WHERE day = :d",
                   d=SIM_NOW.date())
    assert scored > 0
    # Every author with an item in the 90 days to the end of that day, and no other.
    assert scored == count(clean_db, "SELECT count(DISTINCT author_external_id)"
                                     " FROM social.items WHERE created_at::date <= :d",
                           d=SIM_NOW.date())


def test_retrain_criticality_without_corrections_promotes_nothing_and_says_why(dags, env,
                                                                               clean_db):
    from council_social.airflow import run_dag

    assert run_dag(dags["retrain_criticality"], SIM_NOW) == "success"
    models = env / "data" / "models"
    [line] = (models / "retrain_log.jsonl").read_text().splitlines()
    report = json.loads(line)
    assert report["corrections"] == 0 and report["promoted"] is False
    assert "not enough corrections" in report["reason"]
    assert sorted(p.name for p in models.iterdir()) == ["retrain_log.jsonl"]


def test_archive_retention_keeps_a_sound_archive_and_fails_on_a_damaged_one(dags, env,
                                                                            clean_db):
    from council_social.airflow import run_dag
    from council_social.archive.anchor import anchor_path
    from council_social.archive.manifest import archive_day
    from council_social.config import load_config

    assert run_dag(dags["ingest_twitter"], SIM_NOW) == "success"
    day = count(clean_db, "SELECT min(fetched_at)::date FROM social.raw_pages")
    # As the archive DAG does: the file, its manifest rows and the chain's head anchored.
    written = archive_day(clean_db, env / "archive", "twitter", day, SIM_NOW,
                          anchor_path(load_config()))
    assert written.outcome == "written"
    sunday = datetime.combine(day + timedelta(days=14 - day.weekday()), time(3),
                              tzinfo=SIM_NOW.tzinfo)
    assert run_dag(dags["archive_retention"], sunday) == "success"
    path = env / "archive" / written.path
    assert path.exists()  # six years' retention: nothing expires yet
    assert count(clean_db, "SELECT count(*) FROM social.retention_log") == 0
    path.write_bytes(path.read_bytes()[:-10])
    # Fail at once: the retries' back-off would only make dag.test sleep.
    for task in dags["archive_retention"].tasks:
        task.retries = 0
    assert run_dag(dags["archive_retention"], sunday) == "failed"
    assert path.exists() and count(clean_db, "SELECT count(*) FROM social.retention_log") == 0


def test_promotion_dag_runs_its_day(dags, env, clean_db, config, simulator):
    """The daily promotion DAG through Airflow: followers fetched and stored, the follow-back
    list written, its other steps succeed on the day (a rerun changes nothing)."""
    from council_social.airflow import run_dag

    # The interval starts on the simulator's day (01:00 UTC to 01:00 UTC).
    end = datetime.combine(SIM_NOW.date() + timedelta(days=1), time(1), SIM_NOW.tzinfo)
    assert run_dag(dags["promotion"], end) == "success"
    main = next(a for a in config.accounts_for("twitter") if a.main)
    fans = len(simulator.model.followers_of(main.external_id))
    assert count(clean_db, "SELECT count(*) FROM social.promotion_follows WHERE account_key = :a"
                           " AND direction = 'followers'", a=main.key) == fans
    assert count(clean_db, "SELECT count(*) FROM social.raw_pages WHERE endpoint = 'followers'") > 0
    listed = count(clean_db, "SELECT count(*) FROM social.promotion_follow_suggestions"
                             " WHERE day = :d AND account_key = :a", d=SIM_NOW.date(), a=main.key)
    assert 0 < listed <= config.promotion.follow_back_limit
    assert run_dag(dags["promotion"], end) == "success"
    assert count(clean_db, "SELECT count(*) FROM social.promotion_follow_suggestions"
                           " WHERE day = :d AND account_key = :a", d=SIM_NOW.date(), a=main.key) == listed
