"""The one module that knows about Airflow: defaults, tags, assets, connections.

DAG files import from here and from nothing else in Airflow's orbit, so the
rest of `council_social` runs and tests without a scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from airflow.sdk import Asset

log = logging.getLogger(__name__)

DB_CONNECTION_ID = "council_social_db"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)

RAW_TWITTER = Asset("council_social.raw_pages.twitter")
ITEMS = Asset("council_social.items")


class Tag(StrEnum):
    INGEST = "ingest"
    PROCESS = "process"
    TWITTER = "twitter"
    COUNCIL_SOCIAL = "council-social"


def tags(*extra: Tag) -> list[str]:
    return [Tag.COUNCIL_SOCIAL.value, *(t.value for t in extra)]


def on_failure(context) -> None:
    """One readable line per failed task; notification channels hang off this later."""
    ti = context.get("ti") or context.get("task_instance")
    log.error(
        "council-social task failed: dag=%s task=%s run=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?"), context.get("run_id"),
        getattr(ti, "try_number", "?"), context.get("exception"),
    )


def default_args(owner: str = "web-team") -> dict:
    return {
        "owner": owner,
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=20),
        "on_failure_callback": on_failure,
    }


@lru_cache(maxsize=1)
def config():
    from council_social.config import load_config

    return load_config()


def _connection(conn_id: str):
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def database_url() -> str:
    """The `council_social_db` Connection if there is one, else the store's own resolution."""
    from council_social.store.engine import resolve_database_url

    conn = _connection(DB_CONNECTION_ID)
    return resolve_database_url(conn.get_uri() if conn else None, config())


def engine():
    from council_social.store.engine import get_engine

    return get_engine(database_url(), config())


def twitter_connector():
    from council_social.channels.twitter import TwitterConnector

    settings = config().channels.twitter
    conn = _connection(settings.connection_id)
    if conn is None or not conn.password:
        raise RuntimeError(
            f"Airflow Connection {settings.connection_id!r} is missing or has no bearer token "
            "in its password field; see README, 'Real platform credentials'."
        )
    host = conn.host or "api.x.com"
    base_url = host if "://" in host else f"{conn.schema or 'https'}://{host}"
    if conn.port:
        base_url = f"{base_url}:{conn.port}"
    return TwitterConnector(
        conn.password,
        base_url,
        page_size=settings.page_size,
        max_pages=settings.max_pages_per_run,
        max_rate_limit_wait_seconds=settings.max_rate_limit_wait_seconds,
    )


def process_window(context) -> tuple[datetime, datetime]:
    """The raw-page window a process_items run owns.

    Time-scheduled and backfill runs own their data interval. A run triggered
    by new raw pages owns the ingest intervals named in the triggering events.
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start < end:
        return start, end
    bounds = [
        (datetime.fromisoformat(e.extra["interval_start"]), datetime.fromisoformat(e.extra["interval_end"]))
        for events in (context.get("triggering_asset_events") or {}).values()
        for e in events
        if e.extra and "interval_start" in e.extra
    ]
    if not bounds:
        raise RuntimeError("process_items run has neither a data interval nor asset events to own")
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


def load_dags(dags_folder) -> dict:
    """Parse the DAG folder as the dag-processor would; import errors are fatal here."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder))
    if bag.import_errors:
        problems = "; ".join(f"{path}: {err.strip().splitlines()[-1]}" for path, err in bag.import_errors.items())
        raise RuntimeError(f"DAG import errors: {problems}")
    return bag.dags


def run_dag(dag, logical_date: datetime) -> str:
    """Run one DAG for one logical date in this process (Airflow's `dag.test`); returns the state."""
    run = dag.test(logical_date=logical_date)
    return str(getattr(run.state, "value", run.state))
