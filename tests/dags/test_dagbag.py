"""Every DAG file parses, and every DAG carries the house defaults; a parse reads
council.yaml at most once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from council_social.local_airflow import DAGS_FOLDER

PLUGINS_FOLDER = DAGS_FOLDER.parent / "plugins"

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


def test_every_file_is_parsed_and_its_parse_time_printed(dagbag):
    # Figures, not a pass mark (pytest -s shows them; bench/parse_time.py for fresh processes).
    seconds = {Path(s.file).name: s.duration.total_seconds() for s in dagbag.dagbag_stats}
    for name, took in sorted(seconds.items()):
        print(f"parse {name:26} {took:6.3f} s")
    assert set(seconds) == {f"{dag_file(d)}.py" for d in EXPECTED_DAGS}


# Parses the files named in argv (all of them in one DagBag when argv[1] is the folder),
# counting the opens of council.yaml with an audit hook, so nothing of ours loads early.
COUNT_CONFIG_READS = """
import json, os, sys
from airflow.dag_processing.dagbag import DagBag
from council_social.config.paths import default_config_path

target = os.path.realpath(os.environ.get("COUNCIL_SOCIAL_CONFIG") or default_config_path())
reads = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.realpath(os.fsdecode(args[0])) == target:
            reads.append(1)
sys.addaudithook(hook)
if sys.argv[1] == "plugin":
    import runpy
    runpy.run_path(sys.argv[2])
else:
    bag = DagBag(dag_folder=sys.argv[1])
    assert not bag.import_errors, bag.import_errors
print(json.dumps({"reads": len(reads)}))
"""


def config_reads(*args: str) -> int:
    done = subprocess.run([sys.executable, "-c", COUNT_CONFIG_READS, *args],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])["reads"]


def test_parsing_every_dag_file_reads_council_yaml_once():
    assert config_reads(str(DAGS_FOLDER)) == 1


def test_a_dag_whose_shape_needs_no_config_reads_none():
    assert config_reads(str(DAGS_FOLDER / "response_watch.py")) == 0


def test_loading_the_plugin_reads_no_council_yaml():
    # Airflow loads plugins in every task process; the views app is built on first request.
    assert config_reads("plugin", str(PLUGINS_FOLDER / "council_social_plugin.py")) == 0


def test_each_dag_says_what_a_manual_run_owns(dagbag):
    from council_social.airflow.run_windows import own_last_period, own_until_now

    hooks = {dag_id: dag.default_args.get("pre_execute") for dag_id, dag in dagbag.dags.items()}
    assert {d for d, h in hooks.items() if h is own_until_now} == CHANNEL_DAGS
    assert {d for d, h in hooks.items() if h is None} == {"process_items", "reprocess"}
    assert all(h is own_last_period for d, h in hooks.items()
               if d not in CHANNEL_DAGS | {"process_items", "reprocess"})


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
