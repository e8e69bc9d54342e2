"""`make stack-test`: the production compose stack started for real with podman-compose.

Starts docker-compose.yaml on the images docker/stack/base-image.sh and the Dockerfile built, waits until every
container's healthcheck passes, signs in, triggers ingest, lets process_items, response_watch
and archive run, checks rows and the archive, recreates every container (`down` without -v,
`up`) and checks nothing was lost and `archive verify --anchor` passes. The last line:

    stack: N containers healthy, ingest→process→cases→archive ok, recreated: 0 items, 0 cases,
    0 archive files lost; verify --anchor ok; T s

podman 4.3 runs no healthcheck timers without systemd, so this script runs each container's
healthcheck itself (`podman healthcheck run`) until every one has passed. Nothing waits on
`condition: service_healthy` (compose.podman43.yaml drops depends_on).

`council-social doctor` must pass on the stack, and must fail naming the anchor log when the
anchor is put on a container's own filesystem.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = os.environ.get("STACK_PROJECT", "council-social-stack")
IMAGE = os.environ.get("STACK_IMAGE", "localhost/council-social-airflow:stack")
ANCHOR = "/opt/council-social/anchor/archive-anchor.log"
STORAGE = "/opt/council-social/storage"
HEALTHY = ["postgres", "redis", "airflow-apiserver", "airflow-scheduler",
           "airflow-dag-processor", "airflow-triggerer", "airflow-worker"]
WAIT = float(os.environ.get("STACK_WAIT", "1200"))
# podman-compose from PyPI (stack-test.sh installs it): Debian's 1.0.3 leaves `${VAR:-}` (an
# empty default) uninterpolated and cannot share a service's network.
PODMAN_COMPOSE = os.environ.get("PODMAN_COMPOSE", "podman-compose")
# compose.podman43.yaml drops depends_on: podman 4.3 cannot start a container that requires
# the exited init job.
FILES = ["-f", str(REPO / "docker-compose.yaml"),
         "-f", str(REPO / "docker" / "stack" / "compose.podman43.yaml")]
# Every platform's Connection: the simulator, started inside the worker container (tasks run
# there; it binds to loopback only). podman-compose 1.0.3 cannot share a service's network
# (`network_mode: service:...`), so it is not a compose service.
SIMULATOR = "http://127.0.0.1:8808"


class StackError(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def run(argv: list[str], *, env=None, check=True, timeout=900) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        # A healthcheck on a loaded machine can hang: that is a failed probe, not a crash.
        done = subprocess.CompletedProcess(argv, 124, "", f"timed out after {timeout} s")
    if check and done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise StackError(f"{' '.join(argv[:6])} failed ({done.returncode}): {tail}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project_dir() -> Path:
    """A fresh AIRFLOW_PROJ_DIR: the repo's dags, plugins and include, and new config and logs
    folders (so an earlier run's admin passwords file is not reused)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="council-social-stack-"))
    for name in ("dags", "plugins", "include"):
        (folder / name).symlink_to(REPO / name)
    for name in ("config", "logs"):
        (folder / name).mkdir()
    return folder


def stack_env(port: int, password: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from council_social.config import load_config

    config = load_config()
    env = {**os.environ, "AIRFLOW_IMAGE_NAME": IMAGE,
           "POSTGRES_IMAGE": "localhost/council-social-postgres:15",
           "REDIS_IMAGE": "localhost/council-social-redis:7",
           "AIRFLOW_UID": str(os.getuid()), "AIRFLOW_API_PORT": str(port),
           "AIRFLOW_PROJ_DIR": str(project_dir()),
           "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
           "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
           "_AIRFLOW_WWW_USER_USERNAME": "admin", "_AIRFLOW_WWW_USER_PASSWORD": password}
    for settings in config.channels.configured().values():
        env[f"AIRFLOW_CONN_{settings.connection_id.upper()}"] = json.dumps(
            {"conn_type": "http", "host": SIMULATOR, "password": config.simulator.bearer_token})
    return env


def compose(env, *args: str, timeout=1800) -> subprocess.CompletedProcess:
    return run([PODMAN_COMPOSE, "-p", PROJECT, *FILES, *args], env=env, timeout=timeout)


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"


def exec_in(service: str, *argv: str, check=True) -> subprocess.CompletedProcess:
    return run(["podman", "exec", container(service), *argv], check=check, timeout=600)


def wait_until(what: str, probe, timeout: float = WAIT, every: float = 5):
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def init_finished() -> bool:
    state = run(["podman", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}",
                 container("airflow-init")], check=False).stdout.split()
    if state and state[0] == "exited":
        if state[1] != "0":
            logs = run(["podman", "logs", "--tail", "15", container("airflow-init")],
                       check=False)
            raise StackError(f"airflow-init exited {state[1]}: {logs.stdout}{logs.stderr}")
        return True
    return False


def healthy(passed: set[str]) -> set[str]:
    """Adds the services whose healthcheck passes now (podman runs it in the container). The
    probes run side by side, and one that passed is not probed again: each starts a whole
    Airflow process, minutes on a loaded machine."""
    from concurrent.futures import ThreadPoolExecutor

    pending = [s for s in HEALTHY if s not in passed]
    with ThreadPoolExecutor(len(pending) or 1) as pool:
        results = pool.map(lambda service: run(
            ["podman", "healthcheck", "run", container(service)], check=False,
            timeout=360).returncode, pending)
        passed.update(s for s, code in zip(pending, results, strict=True) if code == 0)
    return passed


def start_simulator() -> None:
    wait_until("the worker container", lambda: run(
        ["podman", "exec", container("airflow-worker"), "true"], check=False).returncode == 0)
    run(["podman", "exec", "-d", container("airflow-worker"), "council-social", "simulator",
         "--port", SIMULATOR.rsplit(":", 1)[1]])


def wait_healthy() -> int:
    wait_until("airflow-init to finish", init_finished)
    say("airflow-init finished: " + run(["podman", "logs", "--tail", "3",
                                         container("airflow-init")]).stdout.strip()
        .replace("\n", " | "))
    passed: set[str] = set()
    wait_until(f"{', '.join(HEALTHY)} healthy",
               lambda: len(healthy(passed)) == len(HEALTHY))
    # After the components settle: a worker restarted while the init job migrated would
    # take a simulator started earlier with it.
    start_simulator()
    return len(HEALTHY)


def snapshot() -> dict:
    counts = exec_in("postgres", "psql", "-U", "airflow", "-d", "council_social", "-tAc",
                     "SELECT (SELECT count(*) FROM social.items), (SELECT count(*) FROM "
                     "social.cases), (SELECT count(*) FROM social.archive_files)").stdout
    items, cases, archived = map(int, counts.strip().split("|"))
    files = exec_in("airflow-worker", "bash", "-c",
                    f"cd {STORAGE} && find archive models -type f -print0 | sort -z | "
                    f"xargs -0r sha256sum").stdout.splitlines()
    # Append-only: later archive runs may add lines, never change the ones already there.
    anchor = exec_in("airflow-worker", "cat", ANCHOR).stdout.splitlines()
    return {"items": items, "cases": cases, "archive_rows": archived, "anchor": anchor,
            "files": dict(reversed(line.split(None, 1)) for line in files)}


def api_get(api, path: str, **params) -> dict:
    response = api.session.get(f"{api.base_url}/api/v2{path}", params=params,
                               timeout=api.timeout)
    response.raise_for_status()
    return response.json()


def dag_run(api, dag_id: str, run_id: str) -> dict | None:
    run_ = api_get(api, f"/dags/{dag_id}/dagRuns/{run_id}")
    return run_ if run_["state"] in ("success", "failed") else None


def processed_after(api, run_id: str) -> dict | None:
    """The first process_items run queued after the last asset event the ingest run wrote:
    it consumed them all (the scheduler folds queued events into the next run), finished."""
    events = api_get(api, "/assets/events", source_dag_id="ingest_twitter",
                     source_run_id=run_id, limit=1000)["asset_events"]
    if not events:
        raise StackError(f"ingest_twitter {run_id} wrote no asset event")
    last = max(e["timestamp"].replace("Z", "+00:00") for e in events)
    runs = api_get(api, "/dags/process_items/dagRuns", run_type="asset_triggered",
                   order_by="-run_after", limit=100)["dag_runs"]
    later = sorted((r for r in runs if r["queued_at"] >= last), key=lambda r: r["queued_at"])
    return later[0] if later and later[0]["state"] in ("success", "failed") else None


def trigger_archive_today(api) -> dict:
    """archive writes the complete UTC days its data interval owns; a run from the UI's
    button owns yesterday. The day's ingest is today's, so the run given today's interval:
    the one the scheduler starts after midnight, early (a later run makes a -v2 file)."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    interval = {"logical_date": start.isoformat(), "data_interval_start": start.isoformat(),
                "data_interval_end": (start + timedelta(days=1)).isoformat()}
    response = api.session.post(f"{api.base_url}/api/v2/dags/archive/dagRuns", json=interval,
                                timeout=api.timeout)
    response.raise_for_status()
    return response.json()


def run_day(api) -> None:
    ingest = api.trigger("ingest_twitter")
    say(f"triggered ingest_twitter {ingest['dag_run_id']}")
    done = wait_until("ingest_twitter", lambda: dag_run(api, "ingest_twitter",
                                                        ingest["dag_run_id"]))
    if done["state"] != "success":
        raise StackError(f"ingest_twitter {done['state']}: "
                         f"{api.task_instances('ingest_twitter', ingest['dag_run_id'])}")
    processed = wait_until("process_items after the ingest",
                           lambda: processed_after(api, ingest["dag_run_id"]))
    if processed["state"] != "success":
        raise StackError(f"process_items {processed['dag_run_id']}: {processed['state']}")
    say(f"process_items {processed['dag_run_id']} succeeded")
    for dag_id in ("response_watch", "archive"):
        run_ = api.trigger(dag_id) if dag_id != "archive" else trigger_archive_today(api)
        done = wait_until(dag_id, lambda d=dag_id, i=run_["dag_run_id"]: dag_run(api, d, i))
        if done["state"] != "success":
            raise StackError(f"{dag_id} {done['state']}: "
                             f"{api.task_instances(dag_id, run_['dag_run_id'])}")
        say(f"{dag_id} succeeded")


def sign_in(port: int, password: str):
    from council_social.deploy.api import AirflowApi

    def attempt():
        try:
            return AirflowApi(f"http://127.0.0.1:{port}", "admin", password)
        except Exception:  # the API server may restart while the DAGs load
            return None

    api = wait_until("signing in", attempt)
    wait_until("the DAGs to load", lambda: {"ingest_twitter", "process_items", "archive",
                                             "response_watch"} <= set(api.dags()))
    return api


# An anchor log on a container's own filesystem: lost when the container is recreated.
ANCHOR_IN_CONTAINER = "/tmp/council-social-anchor/archive-anchor.log"


def doctor(*env: str) -> subprocess.CompletedProcess:
    flags = [arg for pair in env for arg in ("-e", pair)]
    return run(["podman", "exec", *flags, container("airflow-scheduler"), "council-social",
                "doctor"], check=False, timeout=600)


def verify_and_doctor() -> None:
    verify = exec_in("airflow-worker", "council-social", "archive", "verify", "--anchor",
                     ANCHOR, check=False)
    if verify.returncode != 0:
        raise StackError(f"archive verify --anchor: {verify.stdout[-1500:]}{verify.stderr[-500:]}")
    last = {}

    def passes():
        last["done"] = doctor()
        return last["done"].returncode == 0 or None

    try:
        wait_until("council-social doctor to pass", passes, timeout=300, every=15)
    except StackError as exc:
        raise StackError(f"{exc}: {last['done'].stdout.strip()}") from None
    # Only the doctor's own lines: Airflow may log a warning on stdout before them.
    say(" | ".join(line for line in last["done"].stdout.splitlines()
                   if line.startswith("doctor:")))
    misplaced = doctor(f"COUNCIL_SOCIAL_ARCHIVE_ANCHOR={ANCHOR_IN_CONTAINER}")
    named = [line for line in misplaced.stdout.splitlines()
             if "anchor" in line and ANCHOR_IN_CONTAINER in line]
    if misplaced.returncode == 0 or not named:
        raise StackError(f"doctor with the anchor at {ANCHOR_IN_CONTAINER} exited "
                         f"{misplaced.returncode} without naming it: {misplaced.stdout.strip()}")
    say(f"doctor with the anchor inside the container: exit {misplaced.returncode}, {named[0]}")


def main() -> int:
    # The builds before this script count too (stack-test.sh passes its start time).
    started = time.monotonic() - (time.time() - float(os.environ.get("STACK_STARTED", time.time())))
    port, password = free_port(), secrets.token_urlsafe(12)
    env = stack_env(port, password)
    keep = os.environ.get("STACK_KEEP") == "1"
    try:
        compose(env, "down", "-v")
        say(f"up on port {port}")
        compose(env, "up", "-d")
        count = wait_healthy()
        say(f"{count} containers healthy after {time.monotonic() - started:.0f} s")
        api = sign_in(port, password)
        run_day(api)
        before = snapshot()
        if before["items"] == 0 or before["archive_rows"] == 0:
            raise StackError(f"the day left nothing to keep: {before}")
        verify_and_doctor()
        say(f"before recreating: {before['items']} items, {before['cases']} cases, "
            f"{before['archive_rows']} archive files")
        compose(env, "down")
        compose(env, "up", "-d")
        count = wait_healthy()
        sign_in(port, password)
        after = snapshot()
        lost_files = [p for p, digest in before["files"].items()
                      if after["files"].get(p) != digest]
        archive_lost = [p for p in lost_files if p.startswith("archive/")]
        if lost_files:
            raise StackError(f"lost or changed after recreation: {lost_files}")
        if not before["anchor"] or after["anchor"][:len(before["anchor"])] != before["anchor"]:
            raise StackError(f"the anchor log lost lines after recreation: "
                             f"{len(before['anchor'])} before, {len(after['anchor'])} after")
        verify_and_doctor()
        items_lost = max(0, before["items"] - after["items"])
        cases_lost = max(0, before["cases"] - after["cases"])
        if items_lost or cases_lost:
            raise StackError(f"lost {items_lost} items, {cases_lost} cases")
        print(f"stack: {count} containers healthy, ingest→process→cases→archive ok, recreated: "
              f"{items_lost} items, {cases_lost} cases, {len(archive_lost)} archive files lost; "
              f"verify --anchor ok; {time.monotonic() - started:.0f} s", flush=True)
        return 0
    except StackError as exc:
        print(f"stack: FAILED after {time.monotonic() - started:.0f} s: {exc}", flush=True)
        for service in ("airflow-init", "airflow-apiserver", "airflow-worker"):
            logs = run(["podman", "logs", "--tail", "20", container(service)], check=False)
            print(f"--- {service}\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}", flush=True)
        return 1
    finally:
        if not keep:
            run([PODMAN_COMPOSE, "-p", PROJECT, *FILES, "down", "-v"], env=env, check=False)


if __name__ == "__main__":
    sys.exit(main())
