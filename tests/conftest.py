"""Session-wide fixtures: a throwaway PostgreSQL database, config, simulator, private Airflow.

PostgreSQL tests never skip: if the server at COUNCIL_SOCIAL_TEST_PG_URL
(default 127.0.0.1:5432) is not there, they fail and say so.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="council-social-airflow-"))
# Airflow reads its configuration on first import: point it at a private home first.
os.environ.update({
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    "GX_ANALYTICS_ENABLED": "false",
})
os.environ.pop("COUNCIL_SOCIAL_DATABASE_URL", None)
os.environ.pop("COUNCIL_SOCIAL_CONFIG", None)
# A shell set up for `make up` or compose must not move the tests' storage or refuse it.
for _name in ("COUNCIL_SOCIAL_STORAGE_ROOT", "COUNCIL_SOCIAL_ENV", "COUNCIL_SOCIAL_ARCHIVE_ROOT",
              "COUNCIL_SOCIAL_ARCHIVE_ANCHOR"):
    os.environ.pop(_name, None)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
SAMPLES = SHARED / "data" / "platform-samples"
PG_ADMIN_URL = os.environ.get(
    "COUNCIL_SOCIAL_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
SIM_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def samples_dir(platform: str) -> Path:
    path = SAMPLES / platform
    if not path.is_dir():
        pytest.skip(f"../shared/data/platform-samples/{platform} is not beside the repo")
    return path


@pytest.fixture(scope="session")
def config():
    from council_social.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def database_url():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"council_social_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # fail, never skip: these tests are the point
        pytest.fail(f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} is not usable: {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    from council_social.store import engine as engine_module

    for cached in list(engine_module._engines.values()):
        cached.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url, config):
    from council_social.store.engine import get_engine
    from council_social.store.migrate import upgrade

    engine = get_engine(database_url, config)
    upgrade(engine)
    return engine


def social_tables() -> list[str]:
    from council_social.store.schema import all_tables

    return [t.name for t in all_tables()]


@pytest.fixture
def clean_db(engine):
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f"social.{t}" for t in social_tables()) + " CASCADE"))
    return engine


@pytest.fixture
def simulator(config):
    from council_social.simulator.server import start_simulator

    handle = start_simulator(
        config.accounts_for("twitter"), seed=config.simulator.seed,
        mentions_per_hour=config.simulator.mentions_per_hour,
        bearer_token=config.simulator.bearer_token, now=SIM_NOW,
    )
    yield handle
    handle.stop()


def snapshot(engine) -> dict[str, list]:
    """Every row of every social table, in a stable order, for rerun comparisons."""
    from sqlalchemy import text

    tables = {}
    with engine.connect() as conn:
        for table in social_tables():
            rows = conn.execute(text(f"SELECT * FROM social.{table}")).all()
            tables[table] = sorted(tuple(map(_cell, row)) for row in rows)
    return tables


def _cell(value) -> str:
    # psycopg2 returns bytea as a memoryview, whose repr is its address, not its bytes.
    return repr(bytes(value) if isinstance(value, memoryview) else value)

