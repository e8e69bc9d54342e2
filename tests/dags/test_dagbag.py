"""Every DAG file parses, and every DAG carries the house defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from council_social.local_airflow import DAGS_FOLDER

EXPECTED_DAGS = {"ingest_twitter", "process_items", "retrain_criticality", "response_watch", "archive", "archive_retention",
                 "communications_grid", "publish_posts", "reports", "reports_weekly",
                 "influence_daily", "reprocess", "send_replies", "promotion"}
# Generated from config by dags/ingest_channels.py (one factory file, one DAG per channel).
CHANNEL_DAGS = {f"ingest_{p}" for p in ("twitter", "facebook", "instagram", "youtube", "flickr",
                                        "linkedin", "feed", "eventbrite")}
EXPECTED_DAGS |= CHANNEL_DAGS


def dag_file(dag_id: str) -> str:
    return "ingest_channels" if dag_id in CHANNEL_DAGS else dag_id


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dags_and_one_file_each(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAGS
    for dag_id in EXPECTED_DAGS:
        assert dagbag.dags[dag_id].fileloc.endswith(f"{dag_file(dag_id)}.py")


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_house_defaults(dagbag, dag_id):
    from council_social.airflow import Tag

    dag = dagbag.dags[dag_id]
    assert dag.tags and set(dag.tags) <= {t.value for t in Tag}
    assert dag.doc_md and "When it fails" in dag.doc_md
    assert dag.catchup is False
    for task in dag.tasks:
        assert task.owner == "web-team"
        assert task.retries >= 2
        assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=1)


def test_ingest_uses_the_platform_pool_and_emits_raw_pages(dagbag, config):
    from council_social.airflow import RAW_TWITTER

    fetch = dagbag.dags["ingest_twitter"].get_task("fetch_account")
    assert fetch.pool == config.channels.twitter.pool
    assert RAW_TWITTER in fetch.outlets


def test_dag_files_parse_without_touching_the_database_or_platforms():
    # A database URL that cannot answer: any module-level I/O would fail the parse.
    env = {**os.environ, "COUNCIL_SOCIAL_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    env.pop("AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER", None)
    done = subprocess.run(
        [sys.executable, "-c",
         "import runpy,sys; [runpy.run_path(p) for p in sys.argv[1:]]",
         *(str(DAGS_FOLDER / f"{d}.py") for d in sorted({dag_file(d) for d in EXPECTED_DAGS}))],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_send_replies_is_woken_by_the_case_replies_watcher(dagbag):
    from council_social.reply_trigger import QueuedRepliesTrigger

    dag = dagbag.dags["send_replies"]
    (asset,) = dag.timetable.asset_condition.objects
    assert asset.name == "council_social.case_replies"
    (watcher,) = asset.watchers
    assert isinstance(watcher.trigger, QueuedRepliesTrigger)
    classpath, kwargs = watcher.trigger.serialize()
    assert classpath == "council_social.reply_trigger.QueuedRepliesTrigger"
    assert kwargs == {"poll_seconds": 5.0}
