"""Every threshold and comparison at its edge: at the threshold, and one step either side.

Triage's decision tree, the working calendar's clocks and the grid's caps. Each test
fails if its comparison is turned (`>=` to `>`, `<` to `<=`) or its threshold moved.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from council_social.grid.rules import CAMPAIGN_CAP, DAILY_CAP, MIN_GAP, Booking, Ledger
from council_social.triage.decision import Signals, Thresholds, decide
from council_social.working_calendar import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
T = Thresholds(escalate_influence=55, escalate_importance=0.8, conversation_importance=0.5,
               conversation_growth_per_hour=3.0)


def s(**kw) -> Signals:
    base = dict(intent="question", criticality=0.1, critical=False, influence=10, importance=0.2)
    return Signals(**{**base, **kw})


# --- triage: the decision tree ----------------------------------------------------------

@pytest.mark.parametrize("influence, rule", [
    (54, "signpost"), (55, "influential_commentator"), (56, "influential_commentator"),
])
def test_influence_escalates_from_exactly_the_threshold(influence, rule):
    d = decide(s(influence=influence), T)
    assert d.rule_path == [rule]
    if rule == "influential_commentator":
        assert d.explanation == f"escalate_comms: influence {influence} >= 55"


@pytest.mark.parametrize("intent", ["praise"])
def test_praise_at_the_influence_threshold_is_not_escalated(intent):
    assert decide(s(intent=intent, influence=55), T).rule_path == ["praise"]
    # Anything other than praise at that influence is.
    assert decide(s(intent="general_comment", influence=55), T).outcome == "escalate_comms"


@pytest.mark.parametrize("importance, critical, rule", [
    (0.79, True, "customer_service_needed"),
    (0.8, True, "controversial_issue"),
    (0.81, True, "controversial_issue"),
    (0.8, False, "signpost"),  # important but not critical: a question without a topic
])
def test_controversial_issue_from_exactly_the_importance_threshold(importance, critical, rule):
    assert decide(s(critical=critical, importance=importance), T).rule_path == [rule]


@pytest.mark.parametrize("growth, rule", [
    (2.9, "signpost"), (3.0, "ongoing_service_conversation"), (3.1, "ongoing_service_conversation"),
])
def test_a_thread_is_growing_from_exactly_the_growth_threshold(growth, rule):
    assert decide(s(topic="parking", growth_per_hour=growth), T).rule_path == [rule]


@pytest.mark.parametrize("importance, rule", [
    (0.49, "signpost"), (0.5, "ongoing_service_conversation"), (0.51, "ongoing_service_conversation"),
])
def test_a_thread_is_important_from_exactly_the_conversation_threshold(importance, rule):
    assert decide(s(topic="parking", importance=importance), T).rule_path == [rule]


@pytest.mark.parametrize("intent, topic, rule", [
    ("question", "parking", "ongoing_service_conversation"),
    ("general_comment", "parking", "ongoing_service_conversation"),
    ("praise", "parking", "praise"),
    ("question", None, "signpost"),
    ("general_comment", None, "no_particular_consequence"),
])
def test_a_service_conversation_needs_a_topic_and_a_question_or_comment(intent, topic, rule):
    assert decide(s(intent=intent, topic=topic, growth_per_hour=10), T).rule_path == [rule]


# --- the working calendar: office hours and clocks ----------------------------------------

CAL = WorkingCalendar()
TUESDAY = date(2026, 11, 24)  # GMT, no bank holiday


def local(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=LONDON)


@pytest.mark.parametrize("moment, inside", [
    (local(TUESDAY, 8, 59, 59), False), (local(TUESDAY, 9), True),
    (local(TUESDAY, 16, 59, 59), True), (local(TUESDAY, 17), False),
])
def test_office_hours_open_at_the_start_and_close_at_the_end(moment, inside):
    assert CAL.in_office_hours(moment) is inside


def test_friday_is_a_working_day_and_saturday_is_not():
    friday = date(2026, 11, 27)
    assert CAL.is_working_day(friday) and not CAL.is_working_day(friday + timedelta(days=1))
    assert CAL.add_working_days(date(2026, 11, 26), 1) == friday


@pytest.mark.parametrize("hours, expected", [
    (8, local(TUESDAY, 17)),  # exactly the office day: runs out at closing, not next morning
    (8 + 1 / 3600, local(TUESDAY + timedelta(days=1), 9, 0, 1)),
    (7, local(TUESDAY, 16)),
])
def test_an_office_clock_that_fills_the_day_runs_out_at_closing(hours, expected):
    assert CAL.clock_deadline(local(TUESDAY, 9), hours, False) == expected


def test_an_office_clock_received_at_closing_starts_next_morning():
    assert CAL.clock_deadline(local(TUESDAY, 17), 1, False) == \
        local(TUESDAY + timedelta(days=1), 10)
    assert CAL.clock_deadline(local(TUESDAY, 16), 1, False) == local(TUESDAY, 17)


def test_an_elapsed_clock_is_exact_to_the_second():
    received = local(TUESDAY, 23, 59, 59)
    assert CAL.clock_deadline(received, 1 / 3600, True) == local(TUESDAY + timedelta(days=1), 0)


@pytest.mark.parametrize("received, n, expected", [
    (local(TUESDAY, 0), 1, TUESDAY + timedelta(days=1)),            # first second of day 0
    (local(TUESDAY, 23, 59, 59), 1, TUESDAY + timedelta(days=1)),   # last second of day 0
    (local(TUESDAY + timedelta(days=1), 0), 1, TUESDAY + timedelta(days=2)),
])
def test_a_working_day_deadline_counts_from_the_local_day_of_receipt(received, n, expected):
    got = CAL.working_day_deadline(received, n)
    assert got == datetime.combine(expected, time(23, 59, 59), tzinfo=LONDON)


def test_working_days_at_their_edges():
    assert CAL.working_days_between(TUESDAY, TUESDAY) == 0
    assert CAL.working_days_between(TUESDAY, TUESDAY - timedelta(days=1)) == 0
    assert CAL.working_days_between(TUESDAY, TUESDAY + timedelta(days=1)) == 1
    assert CAL.add_working_days(TUESDAY, 1) == TUESDAY + timedelta(days=1)
    assert CAL.subtract_working_days(TUESDAY, 1) == TUESDAY - timedelta(days=1)
    for bad in (0, -1):
        with pytest.raises(ValueError):
            CAL.add_working_days(TUESDAY, bad)
        with pytest.raises(ValueError):
            CAL.subtract_working_days(TUESDAY, bad)


@pytest.mark.parametrize("working_days, factor, n", [
    (20, 1, 20), (20, 2, 40), (1, 0.4, 1), (3, 0.5, 2), (1, 1.5, 2),
])
def test_a_scaled_working_day_target_rounds_and_is_at_least_one_day(working_days, factor, n):
    target = SimpleNamespace(working_days=working_days, hours=None, clock_runs_out_of_hours=True)
    received = local(TUESDAY, 10)
    assert CAL.deadline(target, received, factor) == CAL.working_day_deadline(received, n)


def test_an_hours_target_is_scaled_by_the_factor():
    target = SimpleNamespace(working_days=None, hours=24, clock_runs_out_of_hours=True)
    received = local(TUESDAY, 10)
    assert CAL.deadline(target, received) == received + timedelta(hours=24)
    assert CAL.deadline(target, received, 2) == received + timedelta(hours=48)


@pytest.mark.parametrize("calendar, moment, status", [
    (CAL, local(TUESDAY, 10), (True, "office hours")),
    (CAL, local(TUESDAY, 17), (False, "outside 09:00-17:00")),
    (CAL, local(date(2026, 11, 28), 10), (False, "weekend")),   # Saturday
    (CAL, local(date(2026, 11, 29), 10), (False, "weekend")),   # Sunday
    (CAL, local(date(2026, 12, 25), 10), (False, "bank holiday (Christmas Day)")),
    (WorkingCalendar(office_days=("mon", "tue", "wed", "thu")), local(date(2026, 11, 27), 10),
     (False, "not an office day (fri)")),
])
def test_office_hours_say_why(calendar, moment, status):
    assert calendar.office_hours_status(moment) == status


def test_a_calendar_keeps_its_own_timezone_and_office_start():
    paris = WorkingCalendar(timezone="Europe/Paris", office_start=time(8, 30))
    assert paris.tz == ZoneInfo("Europe/Paris")
    assert paris.start_of_office_day(TUESDAY) == datetime.combine(
        TUESDAY, time(8, 30), tzinfo=ZoneInfo("Europe/Paris"))
    assert CAL.start_of_office_day(TUESDAY) == local(TUESDAY, 9)


def test_counting_days_says_what_went_wrong():
    with pytest.raises(ValueError, match="^n must be at least 1$"):
        CAL.add_working_days(TUESDAY, 0)
    with pytest.raises(ValueError, match="^n must be at least 1$"):
        CAL.subtract_working_days(TUESDAY, 0)
    with pytest.raises(RuntimeError, match="^no 3000 working days within 3660 days of 2026-11-24$"):
        CAL.add_working_days(TUESDAY, 3000)
    with pytest.raises(RuntimeError, match="^no 3000 working days within 3660 days before"):
        CAL.subtract_working_days(TUESDAY, 3000)
    closed = WorkingCalendar(office_days=())
    with pytest.raises(RuntimeError, match="^office-hours clock did not finish within ten years$"):
        closed.clock_deadline(local(TUESDAY, 9), 1, False)


# --- the grid's caps ----------------------------------------------------------------------

SETTINGS = SimpleNamespace(min_gap_minutes=120, campaign_posts_per_week=2,
                           cap_for=lambda account: {"busy": 1}.get(account, 3))


def ledger(*bookings: tuple[str, str, datetime]) -> Ledger:
    book = Ledger(SETTINGS, "Europe/London")
    for i, (account, campaign, at) in enumerate(bookings):
        book.add(Booking(account, f"e{i}", campaign, at))
    return book


def test_the_daily_cap_allows_up_to_the_cap_and_refuses_one_over():
    two = ledger(*[("main", f"c{i}", local(TUESDAY, 9 + 3 * i)) for i in range(2)])
    assert two.refusal("main", "new", local(TUESDAY, 16)) is None  # the third of three
    three = ledger(*[("main", f"c{i}", local(TUESDAY, 9 + 3 * i)) for i in range(3)])
    assert three.refusal("main", "new", local(TUESDAY, 20)) == DAILY_CAP
    # The cap is per local day and per account, with the account's own cap.
    assert three.refusal("main", "new", local(TUESDAY + timedelta(days=1), 9)) is None
    assert three.refusal("other", "new", local(TUESDAY, 20)) is None
    one = ledger(("busy", "c", local(TUESDAY, 9)))
    assert one.refusal("busy", "new", local(TUESDAY, 20)) == DAILY_CAP


def test_the_minimum_gap_allows_exactly_the_gap():
    book = ledger(("main", "c", local(TUESDAY, 12)))
    assert book.refusal("main", "new", local(TUESDAY, 14)) is None
    assert book.refusal("main", "new", local(TUESDAY, 10)) is None
    assert book.refusal("main", "new", local(TUESDAY, 13, 59, 59)) == MIN_GAP
    assert book.refusal("main", "new", local(TUESDAY, 10, 0, 1)) == MIN_GAP


def test_the_campaign_cap_allows_up_to_the_cap_in_a_week_and_refuses_one_over():
    monday = TUESDAY - timedelta(days=1)
    one = ledger(("main", "winter", local(monday, 9)))
    assert one.refusal("main", "winter", local(TUESDAY + timedelta(days=5), 9)) is None  # Sunday
    two = ledger(("main", "winter", local(monday, 9)), ("main", "winter", local(TUESDAY, 9)))
    assert two.refusal("main", "winter", local(TUESDAY + timedelta(days=5), 9)) == CAMPAIGN_CAP
    assert two.refusal("main", "summer", local(TUESDAY + timedelta(days=2), 9)) is None
    # The next week (from Monday) starts the count again.
    assert two.refusal("main", "winter", local(TUESDAY + timedelta(days=6), 9)) is None
