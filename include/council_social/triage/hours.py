"""Out of hours for triage: the council's working calendar
(`council_social.working_calendar`) asked per minute.

Outside office hours in the council's timezone, on days that are not office
days, and on the configured country's bank holidays (`cases.holiday_country`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def bank_holiday(day: date, office_hours=None) -> str | None:
    """The bank holiday's name on `day` (England and Wales unless `office_hours`
    from a loaded config says which country), or None."""
    from council_social.working_calendar import WorkingCalendar

    calendar = office_hours.calendar() if office_hours is not None else WorkingCalendar()
    return calendar.bank_holiday(day)


def out_of_hours(moment: datetime, office_hours, timezone: str = "Europe/London") -> tuple[bool, str]:
    """(out of hours?, why) for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("out_of_hours needs an aware datetime")
    inside, why = office_hours.calendar(timezone).office_hours_status(moment)
    return not inside, why


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.toordinal()
_MINUTE = timedelta(minutes=1)


class OutOfHours:
    """`out_of_hours` remembered per minute: the answer depends only on the local date
    and time of day, and office hours start and end on whole minutes, so every moment
    of one UTC minute gets the same answer (a batch spans few minutes' worth of hours)."""

    MEMO_LIMIT = 100_000

    def __init__(self, office_hours, timezone: str = "Europe/London"):
        self.office_hours = office_hours
        self.timezone = timezone
        whole = all(t.second == 0 and t.microsecond == 0
                    for t in (office_hours.start, office_hours.end))
        self._memo: dict[int, tuple[bool, str]] | None = {} if whole else None

    def answer(self, moment: datetime) -> tuple[bool, str]:
        memo, zone = self._memo, moment.tzinfo
        if memo is None or zone is None:
            return out_of_hours(moment, self.office_hours, self.timezone)
        if zone is UTC:
            # (moment - _EPOCH) // _MINUTE from the fields, without two timedeltas: the
            # seconds and microseconds are under a minute, so they never carry.
            minute = ((moment.toordinal() - _EPOCH_DAY) * 1440 + moment.hour * 60
                      + moment.minute)
        else:
            minute = (moment - _EPOCH) // _MINUTE  # exact integer arithmetic
        found = memo.get(minute)
        if found is None:
            if len(memo) >= self.MEMO_LIMIT:
                memo.clear()
            found = memo[minute] = out_of_hours(moment, self.office_hours, self.timezone)
        return found

    # Called as a method by the batch: an instance call goes through a slower slot.
    __call__ = answer
