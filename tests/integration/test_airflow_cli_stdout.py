"""Airflow's CLI prints only the requested output on stdout, so scripts can parse it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")


def test_dags_list_runs_json_is_nothing_but_json(tmp_path):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path),
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
           "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           # The default, not the test session's WARNING: warnings must still not reach stdout.
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}
    for argv in (["db", "migrate"], ["dags", "reserialize"]):
        done = subprocess.run([AIRFLOW, *argv], env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    done = subprocess.run([AIRFLOW, "dags", "list-runs", "process_items", "-o", "json"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []  # the whole of stdout, not a JSON tail
