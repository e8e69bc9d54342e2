"""docker/init.sh (the compose stack's airflow-init) against a stub /entrypoint.

No Docker engine here: the stub stands for the image's entrypoint. Like the real
one it prints a blank line first (the output of `airflow db check`); it records
every call and runs `python ...` with this venv, so the script's own Python steps
(pools and passwords files) run for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INIT = ROOT / "docker" / "init.sh"

STUB = """#!/usr/bin/env bash
echo
printf '%s\\n' "$*" >> "$STUB_CALLS"
if [ -n "${STUB_FAIL_ON:-}" ] && [ "$*" = "$STUB_FAIL_ON" ]; then exit 3; fi
case "$1" in
    python) [ "$4" = unpause ] && exit 0; shift; exec "$STUB_PYTHON" "$@" ;;
    airflow) if [ "$2 $3" = "pools import" ]; then cp "$4" "$STUB_CALLS.pools"; fi ;;
esac
exit 0
"""


@pytest.fixture
def stub(tmp_path):
    entry = tmp_path / "bin" / "entrypoint"
    entry.parent.mkdir()
    entry.write_text(STUB)
    entry.chmod(0o755)
    airflow_dir = tmp_path / "opt-airflow"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("_AIRFLOW_")},
        "AIRFLOW_ENTRYPOINT": str(entry),
        "AIRFLOW_DIR": str(airflow_dir),
        "AIRFLOW_UID": str(os.getuid()),
        "COUNCIL_SOCIAL_STORAGE_ROOT": str(tmp_path / "storage"),
        "COUNCIL_SOCIAL_ARCHIVE_ANCHOR": str(tmp_path / "anchor" / "archive-anchor.log"),
        "INIT_DB_ATTEMPTS": "2",
        "_AIRFLOW_WWW_USER_USERNAME": "webteam",
        "_AIRFLOW_WWW_USER_PASSWORD": "first-password",
        "STUB_CALLS": str(tmp_path / "calls"),
        "STUB_PYTHON": sys.executable,
    }
    return tmp_path, airflow_dir, env


def run_init(env) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(INIT)], env=env, capture_output=True, text=True,
                          timeout=120)


def test_init_runs_every_step_and_imports_the_configured_pools(stub, config):
    tmp, airflow_dir, env = stub
    done = run_init(env)
    assert done.returncode == 0, done.stderr
    passwords = airflow_dir / "config" / "simple_auth_manager_passwords.json"
    calls = (tmp / "calls").read_text().splitlines()
    # The admin's password first (an early API server would write a random one), then migrate.
    assert calls[:2] == [f"python -m council_social.deploy.init_files passwords {passwords}",
                         "airflow db migrate"]
    assert calls.index("council-social db upgrade") > 0
    # The DAGs are loaded before the new ones are unpaused, and the preflight runs last.
    assert calls.index("airflow dags reserialize") < calls.index(
        "python -m council_social.deploy.init_files unpause") < calls.index("council-social doctor")
    assert (tmp / "anchor").is_dir()
    assert any(c.startswith("airflow pools import ") for c in calls)
    assert not any(c.startswith("airflow pools set") for c in calls)
    pools = json.loads((tmp / "calls.pools").read_text())
    expected = {s.pool: s.pool_slots for s in config.channels.configured().values()}
    assert {name: p["slots"] for name, p in pools.items()} == expected
    for folder in ("logs", "dags", "plugins", "config"):
        assert (airflow_dir / folder).is_dir()
    assert (tmp / "storage").is_dir()
    passwords = airflow_dir / "config" / "simple_auth_manager_passwords.json"
    assert json.loads(passwords.read_text()) == {"webteam": "first-password"}
    assert passwords.stat().st_mode & 0o077 == 0


def test_a_second_run_keeps_the_admin_password(stub):
    _, airflow_dir, env = stub
    assert run_init(env).returncode == 0
    env["_AIRFLOW_WWW_USER_PASSWORD"] = "changed-in-env"
    assert run_init(env).returncode == 0
    passwords = airflow_dir / "config" / "simple_auth_manager_passwords.json"
    assert json.loads(passwords.read_text()) == {"webteam": "first-password"}


def test_a_failing_step_stops_the_init_with_its_exit_code(stub):
    tmp, _, env = stub
    env["STUB_FAIL_ON"] = "council-social db upgrade"
    done = run_init(env)
    assert done.returncode == 3
    calls = (tmp / "calls").read_text().splitlines()
    assert calls[-1] == "council-social db upgrade"  # nothing after the failure ran


def test_a_database_that_never_answers_fails_the_init(stub):
    tmp, _, env = stub
    env["STUB_FAIL_ON"] = "airflow db migrate"
    done = run_init(env)
    assert done.returncode == 1 and "database not ready" in done.stderr
    assert (tmp / "calls").read_text().splitlines()[1:] == ["airflow db migrate"] * 2


def test_doctor_problems_are_printed_not_fatal(stub):
    tmp, _, env = stub
    env["STUB_FAIL_ON"] = "council-social doctor"
    done = run_init(env)
    assert done.returncode == 0 and "doctor found the problems" in done.stdout


def test_init_refuses_to_run_without_the_shared_storage_root(stub):
    _, _, env = stub
    del env["COUNCIL_SOCIAL_STORAGE_ROOT"]
    done = run_init(env)
    assert done.returncode != 0
    assert "COUNCIL_SOCIAL_STORAGE_ROOT" in done.stderr
