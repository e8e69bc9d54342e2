"""`make up` / `make down`: the real Airflow components as background processes.

    python -m council_social.deploy.up start|stop

Settings come from the environment (or the make command line): EXECUTOR
(local|celery), REDIS_URL, AIRFLOW_DATABASE_URL, COUNCIL_SOCIAL_DATABASE_URL,
COUNCIL_SOCIAL_CONFIG, UP_PORT, UP_DIR. Without database URLs both databases
live on the embedded PostgreSQL under the council's data folder. `start` writes
`$UP_DIR/env`: source it and `.venv/bin/airflow` talks to this deployment.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from council_social.deploy import processes
from council_social.deploy.api import AirflowApi
from council_social.deploy.init_files import write_passwords, write_pools
from council_social.deploy.unpause import (
    MARKER_VARIABLE,
    first_unpause,
    read_marker,
    write_marker,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
ADMIN_USER = "admin"
# Order matters for `stop`: the API server last, so running tasks can still report back.
COMPONENTS = ["worker", "scheduler", "triggerer", "dag-processor", "simulator", "api-server"]
READY_TIMEOUT = 300


class UpError(RuntimeError):
    """A problem the operator can fix; printed as one line."""


@dataclass(frozen=True)
class UpSettings:
    executor: str
    redis_url: str
    airflow_database_url: str | None
    council_database_url: str | None
    config_path: Path
    port: int
    up_dir: Path
    # Which new DAGs to unpause: a regular expression (UP_DAGS), else deployment.unpause_dags.
    unpause: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> UpSettings:
        from council_social.config import resolve_config_path

        env = os.environ if env is None else env
        executor = env.get("EXECUTOR") or "local"
        if executor not in EXECUTORS:
            raise UpError(f"EXECUTOR={executor!r}: expected one of {', '.join(EXECUTORS)}")
        port = env.get("UP_PORT") or "8080"
        if not port.isdigit():
            raise UpError(f"UP_PORT={port!r} is not a port number")
        unpause = env.get("UP_DAGS") or None
        try:
            re.compile(unpause or "")
        except re.error as exc:
            raise UpError(f"UP_DAGS={unpause!r} is not a regular expression: {exc}") from None
        return cls(
            executor=executor,
            redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            airflow_database_url=env.get("AIRFLOW_DATABASE_URL") or None,
            council_database_url=env.get("COUNCIL_SOCIAL_DATABASE_URL") or None,
            config_path=resolve_config_path(env.get("COUNCIL_SOCIAL_CONFIG") or None),
            port=int(port),
            up_dir=Path(env.get("UP_DIR") or PROJECT_ROOT / ".data" / "up").resolve(),
            unpause=unpause,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _say(message: str) -> None:
    print(message, flush=True)


def _bin(name: str) -> str:
    """A console script of this venv (the one running us)."""
    return str(Path(sys.executable).parent / name)


def _persistent_value(path: Path, make) -> str:
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _databases(settings: UpSettings, config) -> tuple[str, str]:
    """(Airflow metadata URL, council data URL); the embedded server for any not given."""
    from council_social.store.engine import EmbeddedDatabase, normalise_url

    airflow_url, council_url = settings.airflow_database_url, settings.council_database_url
    if airflow_url and council_url:
        return airflow_url, normalise_url(council_url)
    embedded = EmbeddedDatabase(config.data_dir_path)
    was_running = embedded.is_running()
    server_url = embedded.start()
    if not was_running:
        # Only a server this deployment started is stopped by `make down`.
        (settings.up_dir / "embedded-pg").write_text(f"{embedded.pgdata}\n")
    _say(f"[db] embedded PostgreSQL in {embedded.pgdata}")
    if not airflow_url:
        airflow_url = _ensure_database(server_url, "airflow")
    return airflow_url, normalise_url(council_url or server_url)


def _ensure_database(server_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _connection_env(conn_id: str, conn: dict) -> tuple[str, str]:
    return f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn)


def _real_connection_exists(env: dict[str, str], conn_id: str, ours: str) -> bool:
    """A Connection the operator made (environment or metadata database), not the
    simulator's that a shell which sourced $UP_DIR/env carries."""
    key = f"AIRFLOW_CONN_{conn_id.upper()}"
    if env.get(key):
        return ours not in env[key]
    clean = {k: v for k, v in env.items() if not k.startswith("AIRFLOW_CONN_")}
    done = subprocess.run([_bin("airflow"), "connections", "get", conn_id, "-o", "json"],
                          env=clean, capture_output=True, text=True)
    return done.returncode == 0


def airflow_env(settings: UpSettings, airflow_url: str, council_url: str) -> dict[str, str]:
    """Everything a component (and a shell that sources $UP_DIR/env) needs."""
    up = settings.up_dir
    home = up / "airflow-home"
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # Created paused; `start` unpauses them (UP_DAGS) once the DAG processor has loaded them.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__EXECUTOR": EXECUTORS[settings.executor],
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{settings.url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(settings.port),
        "AIRFLOW__API__BASE_URL": settings.url,
        # Shared by every component that signs or checks API tokens, kept across restarts.
        "AIRFLOW__API_AUTH__JWT_SECRET": _persistent_value(
            up / "jwt-secret", lambda: secrets.token_urlsafe(32)),
        "AIRFLOW__CORE__FERNET_KEY": _persistent_value(up / "fernet-key", _fernet_key),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(up / "passwords.json"),
        "AIRFLOW__CELERY__BROKER_URL": settings.redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + airflow_url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
        # One machine runs every component: a busy API server must not fail a task's calls.
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # Parse a DAG file when it changes (the processor re-parses a file whose mtime is newer
        # at once), else every 10 minutes (not Airflow's 30 s: re-parsing the 12 files was half
        # of an idle deployment's CPU, issue 29). An edited council.yaml reaches the ingest DAGs
        # within that, or at once on `touch dags/ingest_channels.py`.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": os.environ.get(
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL", "600"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": os.environ.get(
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "300"),
        # The log servers next to the API port, so two deployments on one machine do not clash.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(settings.port + 1),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(settings.port + 2),
        "GX_ANALYTICS_ENABLED": "false",
        "COUNCIL_SOCIAL_CONFIG": str(settings.config_path),
        "COUNCIL_SOCIAL_DATABASE_URL": council_url,
        # Digests and notices land here while no SMTP Connection exists.
        "COUNCIL_SOCIAL_OUTBOX": str(up / "outbox"),
    }
    return env


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _admin_password(up_dir: Path) -> str:
    """Generated on the first `make up` (or UP_ADMIN_PASSWORD), then kept."""
    path = up_dir / "passwords.json"
    write_passwords(path, ADMIN_USER,
                    os.environ.get("UP_ADMIN_PASSWORD") or secrets.token_urlsafe(12))
    return json.loads(path.read_text())[ADMIN_USER]


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise UpError(f"{what} failed: {tail}")
    return done.stdout


def write_env_file(up_dir: Path, env: dict[str, str]) -> Path:
    path = up_dir / "env"
    lines = ["# source this file: .venv/bin/airflow and council-social then use this deployment"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items())]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def _wait_for_api(settings: UpSettings, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes.running_pid(settings.up_dir, "api-server") is None:
            raise UpError(f"the API server exited; see {settings.up_dir / 'api-server.log'}")
        try:
            with urllib.request.urlopen(f"{settings.url}/api/v2/monitor/health", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise UpError(f"the API server did not answer on {settings.url} within {timeout:.0f} s")


def _wait_for_dags(api: AirflowApi, dag_ids: set[str], timeout: float) -> None:
    """Until the DAG processor has serialised the DAGs (so a trigger right away works)."""
    deadline = time.monotonic() + timeout
    while not dag_ids <= set(api.dags()):
        if time.monotonic() > deadline:
            raise UpError(f"the DAG processor did not load {', '.join(sorted(dag_ids))} within "
                          f"{timeout:.0f} s; see dag-processor.log")
        time.sleep(2)


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise UpError(f"EXECUTOR=celery needs Redis at {url}: {exc}") from None


def start(settings: UpSettings) -> int:
    from council_social.config import load_config
    from council_social.store.engine import get_engine
    from council_social.store.migrate import upgrade

    started = time.monotonic()
    up = settings.up_dir
    up.mkdir(parents=True, exist_ok=True)
    (up / "outbox").mkdir(exist_ok=True)
    config = load_config(settings.config_path)
    if settings.executor == "celery":
        _check_redis(settings.redis_url)
    running = [n for n in COMPONENTS if processes.running_pid(up, n)]
    executor_file = up / "executor"
    if running and executor_file.exists() and executor_file.read_text().strip() != settings.executor:
        raise UpError(f"already running with EXECUTOR={executor_file.read_text().strip()}; "
                      "`make down` first to change it")
    if running:
        _say(f"[up] already running ({', '.join(running)}); starting what is missing")
    executor_file.write_text(f"{settings.executor}\n")
    airflow_url, council_url = _databases(settings, config)
    env_vars = airflow_env(settings, airflow_url, council_url)
    password = _admin_password(up)
    env = {**os.environ, **env_vars}

    _say(f"[db] council data: social schema at revision {upgrade(get_engine(council_url, config))}")
    _run([_bin("airflow"), "db", "migrate"], env, "airflow db migrate")
    _say("[airflow] metadata database migrated")
    write_pools(up / "pools.json", config)
    _run([_bin("airflow"), "pools", "import", str(up / "pools.json")], env, "airflow pools import")
    _say(f"[airflow] pools: {', '.join(s.pool for s in config.channels.configured().values())}")

    twitter_conn = config.channels.twitter.connection_id
    sim_port = _persistent_value(up / "simulator-port", lambda: str(_free_port()))
    sim_url = f"http://127.0.0.1:{sim_port}"
    if processes.running_pid(up, "simulator") or not _real_connection_exists(
            env, twitter_conn, sim_url):
        from council_social.simulator.twitter_api import sim_user_token

        # The council accounts' user-context tokens, so publish_posts and send_replies post.
        user_tokens = {a.key: sim_user_token(config.simulator.bearer_token, a.external_id)
                       for a in config.accounts_for("twitter") if a.external_id}
        for settings_ in config.channels.configured().values():
            key, value = _connection_env(settings_.connection_id, {
                "conn_type": "http", "host": sim_url,
                "password": config.simulator.bearer_token,
                **({"extra": {"user_tokens": user_tokens}}
                   if settings_.connection_id == twitter_conn else {})})
            env_vars[key] = value
        env = {**os.environ, **env_vars}
        if not processes.running_pid(up, "simulator"):
            processes.start(up, "simulator", [_bin("council-social"), "simulator",
                                              "--port", sim_port], env)
        _say(f"[sim] no real Connection {twitter_conn!r}: every platform is the local "
             f"simulator on {sim_url}")
    write_env_file(up, env_vars)

    airflow = _bin("airflow")
    commands = {
        "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(settings.port),
                       "--workers", "1"],
        "scheduler": [airflow, "scheduler"],
        "dag-processor": [airflow, "dag-processor"],
        "triggerer": [airflow, "triggerer"],
    }
    if settings.executor == "celery":
        commands["worker"] = [airflow, "celery", "worker", "--concurrency", "4"]
    for name, argv in commands.items():
        if processes.running_pid(up, name) is None:
            processes.start(up, name, argv, env)
            _say(f"[start] {name}")
    _wait_for_api(settings, READY_TIMEOUT)
    api = AirflowApi(settings.url, ADMIN_USER, password)
    _wait_for_dags(api, {"ingest_twitter", "process_items"}, READY_TIMEOUT)
    # New DAGs meant to run are unpaused; one an operator paused later stays paused.
    wanted = (re.compile(settings.unpause).fullmatch if settings.unpause
              else config.deployment.wanted)
    states = api.dags()
    initialised = read_marker(api.variable(MARKER_VARIABLE))
    unpaused = first_unpause(states, initialised, wanted)
    for dag_id in unpaused:
        api.unpause(dag_id)
    # Airflow registers an asset's watcher (send_replies' trigger) only when it parses the file
    # of an unpaused DAG; files are re-parsed every 10 minutes, so ask for it now.
    for dag_id in unpaused:
        api.reparse(dag_id)
    api.set_variable(MARKER_VARIABLE, write_marker(initialised, states))
    if unpaused:
        _say(f"[airflow] unpaused: {', '.join(unpaused)}")
    _doctor(env)
    _say(f"\nCouncil Social Ops is up ({EXECUTORS[settings.executor]}) in "
         f"{time.monotonic() - started:.0f} s")
    _say(f"  Airflow UI   {settings.url}  (sign in as {ADMIN_USER!r} with the password in "
         f"{up / 'passwords.json'})")
    _say(f"  views        {settings.url}/council-social")
    _say(f"  shell        source {up / 'env'}   then e.g. .venv/bin/airflow dags trigger "
         "ingest_twitter")
    _say(f"  logs         {up}/*.log   stop: make down")
    return 0


def _doctor(env: dict[str, str]) -> None:
    """`council-social doctor` on this deployment, printed (a problem does not stop `make up`)."""
    done = subprocess.run([_bin("council-social"), "doctor"], env=env, capture_output=True,
                          text=True)
    for line in (done.stdout or done.stderr).strip().splitlines():
        _say(f"[doctor] {line}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(settings: UpSettings) -> int:
    up = settings.up_dir
    if not up.exists():
        _say(f"[down] nothing was started from {up}")
        return 0
    stopped = processes.stop(up, COMPONENTS)
    _say(f"[down] stopped: {', '.join(stopped) or 'nothing was running'}")
    marker = up / "embedded-pg"
    if marker.exists():
        from council_social.store.engine import EmbeddedDatabase

        pgdata = Path(marker.read_text().strip())
        EmbeddedDatabase(pgdata.parent).stop()
        marker.unlink()
        _say(f"[down] embedded PostgreSQL in {pgdata} stopped")
    left = processes.survivors(up)
    if left:
        raise UpError(f"processes still running: {', '.join(map(str, left))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv not in (["start"], ["stop"]):
        _say("usage: python -m council_social.deploy.up start|stop")
        return 2
    try:
        settings = UpSettings.from_env()
        return start(settings) if argv == ["start"] else stop(settings)
    except UpError as exc:
        _say(f"{'up' if argv == ['start'] else 'down'}: {exc}")
        return 1
    except Exception as exc:  # one readable line for the operator; details are in the logs
        from council_social.config import ConfigError

        if isinstance(exc, ConfigError):
            _say(f"up: configuration problem:\n{exc}")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
