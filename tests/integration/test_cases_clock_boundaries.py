"""The watch's clocks at their edges: a case is overdue at due_at exactly, not a second
before, and goes to the head of communications at escalate_at exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases import watch as case_watch
from council_social.cases.watch import watch
from tests.cases_support import add_decision, add_item, at

pytestmark = pytest.mark.postgres

T0 = at("2026-11-24T10:00:00")  # a Tuesday, GMT; customer_service: 24 h, escalation at 48 h
SECOND = timedelta(seconds=1)


@pytest.fixture
def one_case(clean_db, config):
    with clean_db.begin() as conn:
        case_watch.mark_open_from(conn, T0, T0)
        add_item(conn, "1", T0)
        add_decision(conn, config, "1", T0, outcome="customer_service",
                     department="waste-recycling")
    watch(clean_db, config, T0, T0 + timedelta(minutes=15))
    with clean_db.connect() as conn:
        case = conn.execute(text("SELECT id, due_at, escalate_at FROM social.cases")).one()
    assert case.due_at == T0 + timedelta(hours=24)
    assert case.escalate_at == T0 + timedelta(hours=48)
    return clean_db, case


def state(engine, case_id) -> tuple[str, list[str]]:
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM social.cases WHERE id = :id"),
                              {"id": case_id}).scalar_one()
        keys = conn.execute(text("SELECT once_key FROM social.case_events WHERE case_id = :id"
                                 " ORDER BY at, id"), {"id": case_id}).scalars().all()
    return status, keys


def test_overdue_at_due_at_exactly_and_not_a_second_before(one_case, config):
    engine, case = one_case
    watch(engine, config, case.due_at - 2 * SECOND, case.due_at - SECOND)
    assert state(engine, case.id) == ("open", ["opened"])
    watch(engine, config, case.due_at - SECOND, case.due_at)
    assert state(engine, case.id) == ("overdue", ["opened", "overdue", "escalated:lead_officer"])


def test_escalated_to_the_head_of_comms_at_escalate_at_exactly(one_case, config):
    engine, case = one_case
    watch(engine, config, case.escalate_at - 2 * SECOND, case.escalate_at - SECOND)
    assert state(engine, case.id) == ("overdue", ["opened", "overdue", "escalated:lead_officer"])
    watch(engine, config, case.escalate_at - SECOND, case.escalate_at)
    assert state(engine, case.id) == (
        "escalated",
        ["opened", "overdue", "escalated:lead_officer", "escalated:head_of_communications"])
