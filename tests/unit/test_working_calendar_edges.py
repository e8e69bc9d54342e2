"""The working calendar built from config (zones, holidays, office times) and the edges of its
answers: cover in summer time, refusing naive and offset-less datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest

from council_social.config.sections.council import OfficeHours
from council_social.config.sections.grid import CoverShift
from council_social.working_calendar import WorkingCalendar


def office(**fields) -> OfficeHours:
    return OfficeHours.model_validate(fields)


def test_office_hours_without_a_zone_follow_the_council(config):
    no_zone = config.office_hours.model_copy(update={"timezone": None})
    council = config.council.model_copy(update={"timezone": "America/New_York"})
    cal = WorkingCalendar.from_config(config.model_copy(update={"office_hours": no_zone,
                                                                 "council": council}))
    assert cal.timezone == "America/New_York"
    # 10:00 in New York (15:00 UTC) on a Tuesday is office time; 10:00 UTC is not.
    assert cal.in_office_hours(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    assert not cal.in_office_hours(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


def test_from_office_hours_defaults_to_london_and_english_bank_holidays():
    cal = WorkingCalendar.from_office_hours(office())
    assert (cal.timezone, cal.country, cal.subdivision) == ("Europe/London", "GB", "ENG")
    # 09:30 BST is 08:30 UTC: office time in London.
    assert cal.in_office_hours(datetime(2026, 6, 2, 8, 30, tzinfo=UTC))
    assert cal.bank_holiday(date(2026, 8, 31))         # England's summer bank holiday
    assert cal.bank_holiday(date(2026, 8, 3)) is None  # Scotland's
    assert cal.is_working_day(date(2026, 1, 2))        # 2 January: Scotland only


def test_the_office_hours_own_zone_wins_over_the_default():
    cal = WorkingCalendar.from_office_hours(office(timezone="Asia/Tokyo"), "Europe/London")
    assert cal.timezone == "Asia/Tokyo"
    assert cal.in_office_hours(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    assert WorkingCalendar.from_office_hours(office(), "Europe/Paris").timezone == "Europe/Paris"


def test_from_office_hours_keeps_the_office_times():
    cal = WorkingCalendar.from_office_hours(office(start="08:00", end="16:00", days=["mon"]))
    monday = datetime(2026, 11, 23, tzinfo=UTC)  # winter: London is UTC
    assert cal.office_hours_status(monday + timedelta(hours=8)) == (True, "office hours")
    assert cal.office_hours_status(monday + timedelta(hours=16, minutes=30)) == (
        False, "outside 08:00-16:00")
    assert (cal.office_start, cal.office_end) == (time(8), time(16))


def test_cover_reads_the_rota_in_council_time():
    shift = CoverShift.model_validate({"days": ["tue"], "start": "17:00", "end": "18:00",
                                       "officer": "Wes Placeholder", "team": "web-team"})
    cal = WorkingCalendar()
    # 17:30 BST (16:30 UTC) on a summer Tuesday is out of office hours and on the rota;
    # 17:30 UTC (18:30 BST) is after the shift.
    assert cal.cover(datetime(2026, 6, 2, 16, 30, tzinfo=UTC), [shift]) == (
        True, "Wes Placeholder (web-team)")
    assert cal.cover(datetime(2026, 6, 2, 17, 30, tzinfo=UTC), [shift]) == (False, None)


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset (utcoffset None): as good as naive."""

    def utcoffset(self, dt):
        return None

    def dst(self, dt):
        return None


MESSAGE = "the working calendar needs an aware datetime (with a UTC offset)"


@pytest.mark.parametrize("moment", [datetime(2026, 6, 2, 10, 0),
                                    datetime(2026, 6, 2, 10, 0, tzinfo=_NoOffset())])
def test_naive_or_offsetless_datetimes_are_refused_with_a_plain_message(moment):
    with pytest.raises(ValueError) as refused:
        WorkingCalendar().in_office_hours(moment)
    assert str(refused.value) == MESSAGE
