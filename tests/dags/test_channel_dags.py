"""The channel ingest DAGs are generated from config: one per configured channel, X included."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    from council_social.local_airflow import DAGS_FOLDER

    return DagBag(dag_folder=str(DAGS_FOLDER / "ingest_channels.py"))


def test_one_generated_dag_per_configured_channel(dagbag, config):
    configured = list(config.channels.configured())
    assert len(configured) == 8 and "twitter" in configured
    assert sorted(dagbag.dag_ids) == sorted(f"ingest_{p}" for p in configured)


def test_x_keeps_its_task_ids_pool_asset_and_tags(dagbag, config):
    from council_social.airflow import RAW_TWITTER

    dag = dagbag.dags["ingest_twitter"]
    assert {t.task_id for t in dag.tasks} == {"council_accounts", "fetch_account"}
    fetch = dag.get_task("fetch_account")
    assert fetch.pool == config.channels.twitter.pool and fetch.outlets == [RAW_TWITTER]
    assert dag.timetable.expression == config.channels.twitter.schedule
    assert set(dag.tags) == {"council-social", "ingest", "twitter"}


def test_each_channel_dag_has_its_own_schedule_pool_and_asset(dagbag, config):
    from council_social.airflow import RAW_CHANNELS

    for platform in [p for p in config.channels.configured() if p != "twitter"]:  # X: above
        dag = dagbag.dags[f"ingest_{platform}"]
        settings = config.channels[platform]
        assert dag.timetable.expression == settings.schedule
        fetch = dag.get_task("fetch_source")
        assert fetch.pool == f"{platform}_api" == settings.pool
        assert RAW_CHANNELS[platform] in fetch.outlets


def test_a_channel_left_out_of_config_gets_no_dag(tmp_path, monkeypatch):
    import yaml

    from council_social import airflow as af
    from council_social.config import default_config_path

    data = yaml.safe_load(default_config_path().read_text())
    for platform in ("instagram", "flickr"):
        data["channels"].pop(platform)
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("COUNCIL_SOCIAL_CONFIG", str(path))
    af.config.cache_clear()
    try:
        import runpy

        from council_social.local_airflow import DAGS_FOLDER

        namespace = runpy.run_path(str(DAGS_FOLDER / "ingest_channels.py"))
        specs = namespace["channel_dags"]()
        assert len(specs) == 6
        assert {s.platform for s in specs} == {"twitter", "facebook", "youtube", "linkedin",
                                               "feed", "eventbrite"}
    finally:
        af.config.cache_clear()
