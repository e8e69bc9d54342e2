"""No flood on first start, and no promise left behind: items received before watching began
open `backlog` cases that page nobody; FoI requests and emergencies open live cases whose
deadlines run from receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases.watch import stored_open_from, watch
from tests.cases_support import add_decision, add_item, at

pytestmark = pytest.mark.postgres

FIRST = at("2026-11-24T10:00:00")  # the first response_watch run's interval starts here
STEP = timedelta(minutes=15)


def received(engine, config, external_id: str, when, *, outcome="customer_service", flags=()):
    with engine.begin() as conn:
        add_item(conn, external_id, when)
        add_decision(conn, config, external_id, when, outcome=outcome, flags=flags,
                     department="waste-recycling")


def cases_by_status(engine) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for external_id, status in conn.execute(text(
                "SELECT external_id, status FROM social.cases")):
            out.setdefault(status, set()).add(external_id)
    return out


def live(engine) -> set[str]:
    return set().union(*(ids for status, ids in cases_by_status(engine).items()
                         if status != "backlog"))


def backlog(engine) -> set[str]:
    return cases_by_status(engine).get("backlog", set())


def test_the_first_run_pages_nobody_for_the_day_before_it(clean_db, config):
    # A day of history, all within open_lookback_days.
    for hour in range(1, 25):
        received(clean_db, config, f"old{hour}", FIRST - timedelta(hours=hour))
    received(clean_db, config, "new1", FIRST + timedelta(minutes=5))
    result = watch(clean_db, config, FIRST, FIRST + STEP)
    assert live(clean_db) == {"new1"}
    assert backlog(clean_db) == {f"old{h}" for h in range(1, 25)}
    assert result.as_dict()["opened"] == 1 and result.as_dict()["backlog"] == 24
    with clean_db.connect() as conn:
        assert stored_open_from(conn) == FIRST
        # History is on no clock: nothing overdue, nothing escalated, however late.
        assert conn.execute(text(
            "SELECT count(*) FROM social.case_events WHERE event IN ('overdue', 'escalated')"
        )).scalar() == 0
    # Later runs keep the first run's moment, and open what arrives after it.
    received(clean_db, config, "new2", FIRST + timedelta(hours=2))
    watch(clean_db, config, FIRST + timedelta(hours=2), FIRST + timedelta(hours=2) + STEP)
    with clean_db.connect() as conn:
        assert stored_open_from(conn) == FIRST
    assert live(clean_db) == {"new1", "new2"}
    assert len(backlog(clean_db)) == 24


def test_a_backfill_opens_history_as_backlog_once(clean_db, config):
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
    assert live(clean_db) == set()
    assert backlog(clean_db) == {"history"}
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.cases")).scalar() == 1


def test_cases_open_from_in_the_file_wins(clean_db, config, monkeypatch):
    received(clean_db, config, "before", FIRST - timedelta(hours=3))
    received(clean_db, config, "after", FIRST - timedelta(hours=1))
    monkeypatch.setattr(config.cases, "open_from", FIRST - timedelta(hours=2))
    watch(clean_db, config, FIRST, FIRST + STEP)
    assert live(clean_db) == {"after"}
    assert backlog(clean_db) == {"before"}


def test_foi_requests_in_the_history_open_live_cases_with_their_legal_deadline(clean_db, config):
    # Two months before the platform started: 20 working days have long passed.
    long_ago = FIRST - timedelta(days=60)
    received(clean_db, config, "foi-old", long_ago, outcome="monitor", flags=["foi"])
    # Two days before: most of the 20 working days are still to come.
    recent = FIRST - timedelta(days=2)
    received(clean_db, config, "foi-recent", recent, outcome="customer_service", flags=["foi"])
    received(clean_db, config, "emergency-old", long_ago, outcome="monitor", flags=["emergency"])
    watch(clean_db, config, FIRST, FIRST + STEP)
    with clean_db.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(text(
            "SELECT external_id, kind, status, opened_at, due_at, details FROM social.cases"))}
    assert set(rows) == {"foi-old", "foi-recent", "emergency-old"}
    assert rows["foi-old"].kind == "foi" and rows["foi-old"].opened_at == long_ago
    # Its deadline (and twice it) passed before we watched: overdue and escalated at once.
    assert rows["foi-old"].status == "escalated"
    assert rows["foi-recent"].status == "open"
    # 20 working days from receipt: four calendar weeks, give or take the weekend it landed on.
    assert timedelta(days=26) <= rows["foi-recent"].due_at - recent <= timedelta(days=30)
    # One item, one case: the complaint rides along on the FoI case with its own deadline.
    carried = rows["foi-recent"].details["carries"]
    assert [c["kind"] for c in carried] == ["customer_service"]
    assert rows["emergency-old"].kind == "emergency"
    assert rows["emergency-old"].status in ("overdue", "escalated")
