"""No flood on first start: cases open only for items received after watching began."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases.watch import stored_open_from, watch
from tests.cases_support import add_decision, add_item, at

pytestmark = pytest.mark.postgres

FIRST = at("2026-11-24T10:00:00")  # the first response_watch run's interval starts here
STEP = timedelta(minutes=15)


def received(engine, config, external_id: str, when) -> None:
    with engine.begin() as conn:
        add_item(conn, external_id, when)
        add_decision(conn, config, external_id, when, outcome="customer_service",
                     department="waste-recycling")


def opened(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT external_id FROM social.cases")).scalars())


def test_the_first_run_opens_nothing_for_the_day_before_it(clean_db, config):
    # A day of history, all within open_lookback_days: before, every item became a case.
    for hour in range(1, 25):
        received(clean_db, config, f"old{hour}", FIRST - timedelta(hours=hour))
    received(clean_db, config, "new1", FIRST + timedelta(minutes=5))
    watch(clean_db, config, FIRST, FIRST + STEP)
    assert opened(clean_db) == {"new1"}
    with clean_db.connect() as conn:
        assert stored_open_from(conn) == FIRST
    # Later runs keep the first run's moment, and open what arrives after it.
    received(clean_db, config, "new2", FIRST + timedelta(hours=2))
    watch(clean_db, config, FIRST + timedelta(hours=2), FIRST + timedelta(hours=2) + STEP)
    with clean_db.connect() as conn:
        assert stored_open_from(conn) == FIRST
    assert opened(clean_db) == {"new1", "new2"}


def test_a_backfill_opens_no_cases_for_history(clean_db, config):
    watch(clean_db, config, FIRST, FIRST + STEP)  # the deployment's first run
    received(clean_db, config, "history", FIRST - timedelta(days=2))
    # A backfill of response_watch over the day the item arrived ...
    for n in range(8):
        end = FIRST - timedelta(days=2) + n * STEP
        watch(clean_db, config, end - STEP, end)
    # ... and a re-triage backfill writing a new decision for it under new rules.
    with clean_db.begin() as conn:
        add_decision(conn, config, "history", FIRST - timedelta(days=2), outcome="escalate_comms",
                     rules_version="9999.01-1")
    watch(clean_db, config, FIRST + STEP, FIRST + 2 * STEP)
    assert opened(clean_db) == set()


def test_cases_open_from_in_the_file_wins(clean_db, config, monkeypatch):
    received(clean_db, config, "before", FIRST - timedelta(hours=3))
    received(clean_db, config, "after", FIRST - timedelta(hours=1))
    monkeypatch.setattr(config.cases, "open_from", FIRST - timedelta(hours=2))
    watch(clean_db, config, FIRST, FIRST + STEP)
    assert opened(clean_db) == {"after"}
