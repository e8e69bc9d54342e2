"""The channel ingest DAGs are generated from config: one per configured non-X channel."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    from council_social.local_airflow import DAGS_FOLDER

    return DagBag(dag_folder=str(DAGS_FOLDER / "ingest_channels.py"))


def test_one_generated_dag_per_configured_channel(dagbag, config):
    configured = [p for p in config.channels.configured() if p != "twitter"]
    assert len(configured) == 7
    assert sorted(dagbag.dag_ids) == sorted(f"ingest_{p}" for p in configured)


def test_each_channel_dag_has_its_own_schedule_pool_and_asset(dagbag, config):
    from council_social.airflow import RAW_CHANNELS

    for platform in [p for p in config.channels.configured() if p != "twitter"]:
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
        assert len(specs) == 5
        assert {s.platform for s in specs} == {"facebook", "youtube", "linkedin", "feed",
                                               "eventbrite"}
    finally:
        af.config.cache_clear()
