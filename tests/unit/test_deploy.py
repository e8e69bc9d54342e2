"""make up's pure parts: settings from the environment, the env file, process groups."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from council_social.deploy import processes
from council_social.deploy.up import UpError, UpSettings, write_env_file


def test_settings_default_to_the_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = UpSettings.from_env({})
    assert (s.executor, s.redis_url, s.port) == ("local", "redis://127.0.0.1:6379/0", 8080)
    assert s.airflow_database_url is None and s.council_database_url is None
    assert s.up_dir.parts[-2:] == (".data", "up")
    assert s.config_path.name == "council.yaml"
    assert s.unpause is None  # deployment.unpause_dags in council.yaml


def test_settings_reject_an_unknown_executor_and_a_bad_port():
    with pytest.raises(UpError, match="EXECUTOR='kubernetes'"):
        UpSettings.from_env({"EXECUTOR": "kubernetes"})
    with pytest.raises(UpError, match="UP_PORT"):
        UpSettings.from_env({"UP_PORT": "http"})
    with pytest.raises(UpError, match="UP_DAGS"):
        UpSettings.from_env({"UP_DAGS": "ingest_(twitter"})


def test_the_env_file_can_be_sourced_and_quotes_what_it_must(tmp_path):
    env = {"AIRFLOW_HOME": str(tmp_path / "home dir"),
           "AIRFLOW_CONN_X": '{"conn_type": "http", "host": "http://127.0.0.1:1"}'}
    path = write_env_file(tmp_path, env)
    out = subprocess.run(["bash", "-c", f"source {path} && printf '%s\\n' \"$AIRFLOW_HOME\" "
                                        "\"$AIRFLOW_CONN_X\""],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == [env["AIRFLOW_HOME"], env["AIRFLOW_CONN_X"]]
    assert path.stat().st_mode & 0o077 == 0  # it carries the database URLs


FORKS_A_CHILD = ("import subprocess, sys, time; "
                 "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
                 "time.sleep(600)")


def test_stop_ends_a_component_and_the_children_it_forked(tmp_path):
    pid = processes.start(tmp_path, "worker", [sys.executable, "-c", FORKS_A_CHILD],
                          {"PATH": "/usr/bin:/bin"})
    assert processes.running_pid(tmp_path, "worker") == pid
    deadline = time.monotonic() + 30
    while len(processes.survivors(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(processes.survivors(tmp_path)) == 2  # the component and its child
    assert processes.stop(tmp_path, ["worker", "scheduler"], timeout=10) == ["worker"]
    assert processes.survivors(tmp_path) == []
    assert processes.running_pid(tmp_path, "worker") is None
    assert not (tmp_path / "worker.pid").exists()


def test_stop_also_ends_a_process_that_left_its_group(tmp_path):
    escapes = ("import subprocess, sys, time; "
               "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], "
               "start_new_session=True); time.sleep(600)")
    processes.start(tmp_path, "triggerer", [sys.executable, "-c", escapes], {"PATH": "/usr/bin"})
    deadline = time.monotonic() + 30
    while len(processes.survivors(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    processes.stop(tmp_path, ["triggerer"], timeout=4)
    assert processes.survivors(tmp_path) == []


def test_dag_files_are_parsed_when_they_change_not_every_30_seconds(tmp_path, monkeypatch):
    from council_social.deploy.up import airflow_env

    monkeypatch.delenv("AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL", raising=False)
    settings = UpSettings.from_env({"UP_DIR": str(tmp_path)})
    env = airflow_env(settings, "postgresql://a@h/airflow", "postgresql://a@h/council")
    assert int(env["AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL"]) >= 300
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL", "45")
    env = airflow_env(settings, "postgresql://a@h/airflow", "postgresql://a@h/council")
    assert env["AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL"] == "45"


def test_only_new_dags_meant_to_run_are_unpaused_so_an_operators_pause_is_kept():
    from council_social.deploy.unpause import first_unpause, read_marker, write_marker

    wanted = {"ingest_twitter", "archive"}.__contains__
    first = {"ingest_twitter": True, "archive": True, "publish_posts": True}
    assert first_unpause(first, read_marker(None), wanted) == ["archive", "ingest_twitter"]
    marker = write_marker(read_marker(None), first)
    # The operator pauses archive; a new DAG arrives; `make up` / init runs again.
    later = {"ingest_twitter": False, "archive": True, "publish_posts": True,
             "ingest_facebook": True}
    wanted = {"ingest_twitter", "archive", "ingest_facebook"}.__contains__
    assert first_unpause(later, read_marker(marker), wanted) == ["ingest_facebook"]
    assert read_marker(write_marker(read_marker(marker), later)) == set(later)
