"""Fixtures every DAG run test shares: the metadata database, the DagBag, the X Connection."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def airflow_metadata(config):
    """The metadata database migrated and every configured channel's pool set, once a session
    (`airflow db migrate` and the pools in a child process take about ten seconds)."""
    from council_social.local_airflow import prepare

    prepare({}, {s.pool: s.pool_slots for s in config.channels.configured().values()})


@pytest.fixture(scope="module")
def dags(airflow_metadata):
    """A module's own DagBag: a test may change a task (its retries) for its module alone."""
    from council_social.airflow import load_dags
    from council_social.local_airflow import DAGS_FOLDER

    return load_dags(DAGS_FOLDER)


@pytest.fixture
def airflow_connections(monkeypatch, simulator, database_url, config):
    monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER", json.dumps({
        "conn_type": "http", "host": simulator.base_url, "password": config.simulator.bearer_token,
    }))
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
