"""The Airflow adapter's pure parts: which raw pages a process_items run owns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.airflow import RAW_TWITTER, process_window

T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def event(start, end):
    return SimpleNamespace(extra={"interval_start": start.isoformat(), "interval_end": end.isoformat()})


def test_a_scheduled_run_owns_its_data_interval():
    context = {"data_interval_start": T - timedelta(hours=1), "data_interval_end": T}
    assert process_window(context) == (T - timedelta(hours=1), T)


def test_an_asset_triggered_run_owns_the_ingest_intervals_of_its_events():
    events = [event(T - timedelta(minutes=30), T - timedelta(minutes=15)),
              event(T - timedelta(minutes=15), T)]
    context = {"data_interval_start": T, "data_interval_end": T,
               "triggering_asset_events": {RAW_TWITTER: events}}
    assert process_window(context) == (T - timedelta(minutes=30), T)


def test_a_run_with_nothing_to_own_fails_loudly():
    with pytest.raises(RuntimeError, match="neither a data interval nor asset events"):
        process_window({"data_interval_start": None, "data_interval_end": None})
