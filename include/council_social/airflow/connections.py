"""Airflow Connections, and the council's database engine built from one."""

from __future__ import annotations

from council_social.airflow.council_config import config

DB_CONNECTION_ID = "council_social_db"


def connection(conn_id: str):
    """The Airflow Connection `conn_id`, or None if there is none."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def base_url(conn) -> str | None:
    """A Connection's host as a base URL (scheme from `schema`, default https), or None."""
    if conn is None or not conn.host:
        return None
    url = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
    return f"{url}:{conn.port}" if conn.port else url


def database_url() -> str:
    """The `council_social_db` Connection if there is one, else the store's own resolution."""
    from council_social.store.engine import resolve_database_url

    conn = connection(DB_CONNECTION_ID)
    return resolve_database_url(conn.get_uri() if conn else None, config())


def engine():
    from council_social.store.engine import get_engine

    return get_engine(database_url(), config())
