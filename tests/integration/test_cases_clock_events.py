"""The clocks' history: each overdue and escalation step is recorded with the status it moved
from and to and what it said, and one finished case does not stop the watch for the next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases import watch as case_watch
from council_social.cases.watch import watch
from tests.cases_support import add_decision, add_item, at

pytestmark = pytest.mark.postgres

T0 = at("2026-11-24T10:00:00")  # a Tuesday, GMT; customer_service: 24 h, escalation at 48 h
MINUTES = timedelta(minutes=15)


def open_case(engine, config, external_id, received):
    with engine.begin() as conn:
        case_watch.mark_open_from(conn, T0, T0)
        add_item(conn, external_id, received)
        add_decision(conn, config, external_id, received, outcome="customer_service",
                     department="waste-recycling")
    watch(engine, config, received, received + MINUTES)


def history(engine, external_id):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT e.event, e.once_key, e.from_status, e.to_status, e.detail FROM social.case_events e"
            " JOIN social.cases c ON c.id = e.case_id WHERE c.external_id = :i"
            " ORDER BY e.at, e.id"), {"i": external_id})]


def status(engine, external_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT status FROM social.cases WHERE external_id = :i"),
                            {"i": external_id}).scalar_one()


def test_each_step_records_where_it_moved_the_case_and_whom_it_told(clean_db, config):
    open_case(clean_db, config, "1", T0)
    open_case(clean_db, config, "1b", T0)
    result = watch(clean_db, config, T0 + timedelta(hours=48) - MINUTES, T0 + timedelta(hours=48))
    # Two cases of one team, each overdue once and escalated twice, in one run.
    assert (result.overdue, result.escalated) == ({"waste-recycling": 2}, {"waste-recycling": 4})
    lead = config.team("waste-recycling").lead_officer
    head = config.council.head_of_communications
    steps = history(clean_db, "1")[1:]
    assert steps == [
        ("overdue", "overdue", "open", "overdue",
         {"due_at": (T0 + timedelta(hours=24)).isoformat()}),
        ("escalated", "escalated:lead_officer", None, None,
         {"step": "lead_officer", "to": lead.email, "name": lead.name}),
        ("escalated", "escalated:head_of_communications", "overdue", "escalated",
         {"step": "head_of_communications", "to": head.email, "name": head.name}),
    ]
    assert status(clean_db, "1") == "escalated"


def test_a_case_with_every_step_done_does_not_stop_the_next(clean_db, config):
    open_case(clean_db, config, "1", T0)
    watch(clean_db, config, T0 + timedelta(hours=48) - MINUTES, T0 + timedelta(hours=48))
    assert status(clean_db, "1") == "escalated"
    # Wednesday 16:00: due 24 h later, when the first case has nothing left to do.
    second = T0 + timedelta(hours=30)
    open_case(clean_db, config, "2", second)
    due = second + timedelta(hours=24)
    watch(clean_db, config, due - MINUTES, due)
    assert status(clean_db, "2") == "overdue"
    assert [step[1] for step in history(clean_db, "2")] == [
        "opened", "overdue", "escalated:lead_officer"]
