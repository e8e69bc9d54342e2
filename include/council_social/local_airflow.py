"""A private Airflow for the demo and the tests: its own home, metadata DB and pools.

Environment first, then Airflow: Airflow reads its configuration when it is
first imported, so `airflow_environment` must be applied before that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = PROJECT_ROOT / "dags"


def airflow_environment(home: Path, *, twitter_base_url: str, bearer_token: str,
                        database_url: str | None = None) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "GX_ANALYTICS_ENABLED": "false",
        "AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER": json.dumps(
            {"conn_type": "http", "host": twitter_base_url, "password": bearer_token}
        ),
    }
    # The other channels' Connections point at the same simulator (one server, routed by path).
    for platform in ("facebook", "instagram", "youtube", "flickr", "linkedin", "feed",
                     "eventbrite"):
        env[f"AIRFLOW_CONN_COUNCIL_SOCIAL_{platform.upper()}"] = json.dumps(
            {"conn_type": "http", "host": twitter_base_url, "password": bearer_token}
        )
    if database_url:
        env["COUNCIL_SOCIAL_DATABASE_URL"] = database_url
    return env


def prepare(env: dict[str, str], pools: dict[str, int]) -> None:
    """Migrate the metadata DB and create the pools, in a child process with `env`."""
    full = {**os.environ, **env}
    airflow = [sys.executable, "-m", "airflow"]
    _run([*airflow, "db", "migrate"], full)
    for name, slots in pools.items():
        _run([*airflow, "pools", "set", name, str(slots), "council-social API pool"], full)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(cmd[2:])} failed: " + " | ".join(tail))
