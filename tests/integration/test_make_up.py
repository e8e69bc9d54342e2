"""`make up EXECUTOR=celery` for real: trigger as the UI does, the worker runs it, `make down`.

Needs PostgreSQL and Redis on this machine (it fails, never skips, without them).
Its own port, folder, Redis database and fresh PostgreSQL databases, so it does
not clash with a deployment someone already runs here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL, REPO_ROOT

pytestmark = [pytest.mark.deployment, pytest.mark.postgres]

REDIS_URL = os.environ.get("COUNCIL_SOCIAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
WAIT = 900  # seconds; the whole stack shares this machine's CPUs with everything else


def _free_port_pair() -> int:
    """A port whose next two (the log servers) are free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and all(_free(port + i) for i in (1, 2)):
            return port
    raise RuntimeError("no free port")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def databases():
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"up_test_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("airflow", "council")]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # fail, never skip
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not usable: {exc}")
    yield [make_url(PG_ADMIN_URL).set(database=n).render_as_string(hide_password=False)
           for n in names]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not answering ({exc}); .ci/run starts it")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _clean_env() -> dict[str, str]:
    # The test session points Airflow at a private sqlite home; the deployment has its own.
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "COUNCIL_SOCIAL_"))}


def _make(target: str, settings: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    args = [f"{k}={v}" for k, v in settings.items()]
    return subprocess.run(["make", "--no-print-directory", target, *args], cwd=REPO_ROOT,
                          env=_clean_env(), capture_output=True, text=True, timeout=timeout)


def _wait_for(what: str, check, timeout: float = WAIT, every: float = 5):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def test_make_up_celery_runs_a_ui_trigger_on_the_worker_then_make_down_leaves_nothing(
    tmp_path, databases, redis_db
):
    from council_social.deploy import processes
    from council_social.deploy.api import AirflowApi
    from council_social.pipeline.claims import unprocessed_window

    up_dir = tmp_path / "up"
    settings = {
        "EXECUTOR": "celery", "REDIS_URL": redis_db, "UP_PORT": str(_free_port_pair()),
        "UP_DIR": str(up_dir), "AIRFLOW_DATABASE_URL": databases[0],
        "COUNCIL_SOCIAL_DATABASE_URL": databases[1],
        # The two DAGs under test; the others would only compete for this machine's CPUs.
        "UP_DAGS": "ingest_twitter|process_items",
    }
    timings = {}
    try:
        started = time.monotonic()
        up = _make("up", settings, timeout=WAIT)
        timings["make up"] = time.monotonic() - started
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        assert f"http://127.0.0.1:{settings['UP_PORT']}" in up.stdout
        for name in ("api-server", "scheduler", "dag-processor", "triggerer", "worker",
                     "simulator"):
            assert processes.running_pid(up_dir, name), name
        # A second `make up` is harmless: same processes, still answering.
        pids = {n: processes.running_pid(up_dir, n) for n in processes_names(up_dir)}
        again = _make("up", settings, timeout=WAIT)
        assert again.returncode == 0, again.stdout[-3000:]
        assert {n: processes.running_pid(up_dir, n) for n in pids} == pids

        # As a user would: source the env file, trigger with no logical date.
        started = time.monotonic()
        trigger = subprocess.run(
            ["bash", "-c", f"source {up_dir / 'env'} && .venv/bin/airflow dags trigger "
                           "ingest_twitter -o json"],
            cwd=REPO_ROOT, env=_clean_env(), capture_output=True, text=True, timeout=300)
        assert trigger.returncode == 0, trigger.stderr[-3000:]
        run = json.loads(trigger.stdout[trigger.stdout.index("[{"):])[0]
        assert run["logical_date"] is None
        run_id = run["dag_run_id"]

        password = json.loads((up_dir / "passwords.json").read_text())["admin"]
        api = AirflowApi(f"http://127.0.0.1:{settings['UP_PORT']}", "admin", password)

        def finished(dag_id, wanted):
            runs = [r for r in api.runs(dag_id) if wanted(r)]
            return runs if runs and all(r["state"] in ("success", "failed") for r in runs) \
                else None

        manual = _wait_for("the manual ingest_twitter run",
                           lambda: finished("ingest_twitter", lambda r: r["dag_run_id"] == run_id))
        assert manual[0]["state"] == "success", api.task_instances("ingest_twitter", run_id)
        # process_items, triggered by the raw-pages asset the manual run announced: the run
        # queued after its last asset event consumed them all (each mapped fetch announces
        # its pages as it ends, so events, and runs, come before the ingest run's end).
        events = api.session.get(f"{api.base_url}/api/v2/assets/events", timeout=api.timeout,
                                 params={"source_dag_id": "ingest_twitter",
                                         "source_run_id": run_id, "limit": 1000}).json()
        last_event = max(datetime.fromisoformat(e["timestamp"]) for e in events["asset_events"])
        triggered = _wait_for(
            "process_items triggered by that run's pages",
            lambda: finished("process_items", lambda r: r["run_type"] == "asset_triggered"
                             and datetime.fromisoformat(r["queued_at"]) >= last_event))
        assert all(r["state"] == "success" for r in triggered), triggered
        timings["trigger to processed"] = time.monotonic() - started

        worker_log = (up_dir / "worker.log").read_text()
        assert "Executing workload in Celery" in worker_log
        assert run_id in worker_log
        assert triggered[0]["dag_run_id"] in worker_log
        council = create_engine(databases[1])
        try:
            with council.connect() as conn:
                pages = conn.execute(text("SELECT count(*) FROM social.raw_pages")).scalar()
                assert pages > 0
                assert unprocessed_window(conn) is None  # every landed page was processed
        finally:
            council.dispose()
    finally:
        down = _make("down", {"UP_DIR": str(up_dir)}, timeout=300)
        print("figures:", {k: f"{v:.0f} s" for k, v in timings.items()})
    assert down.returncode == 0, down.stdout + down.stderr
    assert processes.survivors(up_dir) == []
    assert not list(Path(up_dir).glob("*.pid"))


def processes_names(up_dir: Path) -> list[str]:
    return [p.stem for p in Path(up_dir).glob("*.pid")]
