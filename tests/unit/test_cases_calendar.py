"""Working days and deadlines: bank holidays, the FoI rule, clock hours, DST, the deadline CLI."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from council_social.cases.calendar import WorkingCalendar
from council_social.cli import main

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()

# England and Wales bank holidays as published on gov.uk/bank-holidays (2028's January
# substitute day included because late-2027 deadlines run into it). Kept by hand, on
# purpose: it checks the `holidays` package rather than repeating it.
GOV_UK_ENGLAND_AND_WALES = {
    date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6), date(2024, 5, 27),
    date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
    date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
    date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
    date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17),
}


def _gov_uk_foi_due(received_local_day: date, n: int = 20) -> date:
    day, count = received_local_day, 0
    while count < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in GOV_UK_ENGLAND_AND_WALES:
            count += 1
    return day


def due(received: str, n: int = 20) -> datetime:
    return CAL.foi_deadline(datetime.fromisoformat(received), n)


# --- the holidays package really has the days we rely on -------------------------------

@pytest.mark.parametrize("day", [
    date(2022, 6, 2),    # spring bank holiday moved for the Platinum Jubilee
    date(2022, 6, 3),    # Platinum Jubilee
    date(2022, 9, 19),   # State Funeral of Queen Elizabeth II
    date(2023, 5, 8),    # Coronation of King Charles III
    date(2022, 12, 27),  # Christmas Day (Sunday) substitute
    date(2023, 1, 2),    # New Year's Day (Sunday) substitute
    date(2026, 12, 28),  # Boxing Day (Saturday) substitute
    date(2027, 12, 27), date(2027, 12, 28),  # Christmas and Boxing Day at the weekend
    date(2028, 1, 3),    # New Year's Day (Saturday) substitute
    date(2026, 4, 3), date(2026, 4, 6),  # Easter 2026
])
def test_bank_holidays_include_substitutes_and_one_offs(day):
    assert CAL.bank_holiday(day)
    assert not CAL.is_working_day(day)


def test_not_holidays_in_england():
    assert CAL.is_working_day(date(2022, 5, 30))   # the usual spring date, moved in 2022
    assert CAL.is_working_day(date(2026, 12, 24))  # Christmas Eve is a working day
    assert CAL.is_working_day(date(2027, 1, 4))    # Scotland's 2 January is not England's
    assert not CAL.is_working_day(date(2026, 12, 26))  # a Saturday


def test_working_days_in_2024_to_2027_match_gov_uk():
    day = date(2024, 1, 1)
    while day <= date(2028, 1, 31):
        expected = day.weekday() < 5 and day not in GOV_UK_ENGLAND_AND_WALES
        assert CAL.is_working_day(day) == expected, day
        day += timedelta(days=1)


# --- FoI: day 0 is the receipt day, the deadline is the end of the 20th working day ---

def test_every_day_of_2024_to_2027_matches_the_gov_uk_list():
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        for hh, mm in ((0, 5), (16, 30), (23, 55)):
            received = datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON)
            got = CAL.foi_deadline(received)
            assert got.date() == _gov_uk_foi_due(day), received
            assert (got.hour, got.minute, got.second) == (23, 59, 59)
        day += timedelta(days=1)


@pytest.mark.parametrize("received, expected", [
    # Christmas and New Year 2026-27: Boxing Day substitute on Mon 28 Dec.
    ("2026-12-21T16:30:00+00:00", "2027-01-21T23:59:59+00:00"),
    ("2026-12-26T10:00:00+00:00", "2027-01-26T23:59:59+00:00"),  # received on a Saturday
    # Christmas and New Year 2027-28: two substitute days, and 3 Jan 2028.
    ("2027-12-24T09:00:00+00:00", "2028-01-26T23:59:59+00:00"),
    # Received on a bank holiday (Easter Monday 2026).
    ("2026-04-06T11:00:00+01:00", "2026-05-05T23:59:59+01:00"),
    # Easter inside the 20 days, with the deadline in summer time.
    ("2026-03-20T12:00:00+00:00", "2026-04-21T23:59:59+01:00"),
    # One-off holidays of 2022 and 2023.
    ("2022-09-12T10:00:00+01:00", "2022-10-11T23:59:59+01:00"),  # the State Funeral
    ("2022-05-31T10:00:00+01:00", "2022-06-30T23:59:59+01:00"),  # the Platinum Jubilee
    ("2023-04-28T10:00:00+01:00", "2023-05-31T23:59:59+01:00"),  # the Coronation
    # Late evening: 23:30 UTC on 1 June is 00:30 on 2 June in London, so 2 June is day 0.
    ("2026-06-01T23:30:00+00:00", "2026-06-30T23:59:59+01:00"),
    ("2026-06-01T22:30:00+00:00", "2026-06-29T23:59:59+01:00"),
])
def test_foi_deadlines(received, expected):
    got = due(received)
    assert got.isoformat() == expected
    assert got.utcoffset() == datetime.fromisoformat(expected).utcoffset()


def test_receipt_time_does_not_matter_within_a_working_day():
    assert due("2026-11-02T00:01:00+00:00") == due("2026-11-02T16:30:00+00:00") \
        == due("2026-11-02T23:59:00+00:00")


def test_across_the_clock_changes():
    # 00:30 GMT on the Sunday clocks go forward, and 01:30 (the first one) the Sunday they go back.
    assert due("2026-03-29T00:30:00+00:00").date() == due("2026-03-28T12:00:00+00:00").date()
    first = due("2026-10-25T00:30:00+00:00")   # 01:30 BST
    second = due("2026-10-25T01:30:00+00:00")  # 01:30 GMT
    assert first == second
    assert first.isoformat() == "2026-11-20T23:59:59+00:00"


def test_working_days_between_and_back():
    start = date(2026, 12, 21)
    end = CAL.add_working_days(start, 20)
    assert CAL.working_days_between(start, end) == 20
    assert CAL.subtract_working_days(end, 20) == start
    assert CAL.subtract_working_days(date(2027, 1, 5), 3) == date(2026, 12, 30)


# --- clock hours --------------------------------------------------------------------------

def test_24_hours_is_elapsed_time_across_dst():
    got = CAL.clock_deadline(datetime.fromisoformat("2026-03-28T12:00:00+00:00"), 24, True)
    assert got.isoformat() == "2026-03-29T13:00:00+01:00"
    got = CAL.clock_deadline(datetime.fromisoformat("2026-10-24T12:00:00+01:00"), 24, True)
    assert got.isoformat() == "2026-10-25T11:00:00+00:00"


@pytest.mark.parametrize("received, hours, expected", [
    ("2026-12-24T16:00:00+00:00", 4, "2026-12-29T12:00:00+00:00"),  # Christmas + substitute
    ("2026-11-28T10:00:00+00:00", 4, "2026-11-30T13:00:00+00:00"),  # Saturday
    ("2026-11-24T08:00:00+00:00", 4, "2026-11-24T13:00:00+00:00"),  # before opening
    ("2026-11-24T18:30:00+00:00", 4, "2026-11-25T13:00:00+00:00"),  # after closing
    ("2026-04-02T15:00:00+01:00", 4, "2026-04-07T11:00:00+01:00"),  # Easter weekend
    ("2026-03-27T15:00:00+00:00", 4, "2026-03-30T11:00:00+01:00"),  # over the clock change
    ("2026-11-24T10:00:00+00:00", 16, "2026-11-26T10:00:00+00:00"),  # two office days
])
def test_office_hours_clock(received, hours, expected):
    got = CAL.clock_deadline(datetime.fromisoformat(received), hours, False)
    assert got.isoformat() == expected


def test_deadline_uses_the_config_targets(config):
    cal = WorkingCalendar.from_config(config)
    received = datetime.fromisoformat("2026-11-24T10:00:00+00:00")
    assert cal.deadline(config.response_targets["customer_service"], received) == \
        received + timedelta(hours=24)
    assert cal.deadline(config.response_targets["foi"], received).date() == date(2026, 12, 22)
    # Twice the target: 40 working days.
    assert cal.deadline(config.response_targets["foi"], received, 2).date() == \
        cal.add_working_days(date(2026, 11, 24), 40)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CAL.foi_deadline(datetime(2026, 1, 5, 10, 0))


# --- the deadline command ---------------------------------------------------------------

def test_deadline_command_prints_one_json_object(capsys):
    assert main(["deadline", "--kind", "foi", "--received", "2026-12-21T16:30:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    record = json.loads(out)
    assert record["due_at"] == "2027-01-21T23:59:59+00:00"
    assert record["due_date"] == "2027-01-21"


def test_deadline_command_repeats_and_reads_stdin(capsys, monkeypatch):
    assert main(["deadline", "--kind", "foi", "--received", "2026-12-21T16:30:00+00:00",
                 "--received", "2026-06-01T23:30:00Z"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["due_date"] for x in lines] == ["2027-01-21", "2026-06-30"]
    assert lines[1]["due_at"].endswith("+01:00")

    monkeypatch.setattr("sys.stdin", io.StringIO(
        "2026-12-26T10:00:00+00:00\n\n2026-03-28T12:00:00+00:00\n"))
    assert main(["deadline", "--kind", "customer_service", "--received", "-"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["due_at"] for x in lines] == ["2026-12-27T10:00:00+00:00",
                                           "2026-03-29T13:00:00+01:00"]


def test_deadline_command_rejects_a_bad_timestamp_in_one_line(capsys):
    assert main(["deadline", "--kind", "foi", "--received", "21/12/2026"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("council-social: ") and "21/12/2026" in err[0]
