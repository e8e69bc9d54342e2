"""Out of hours: outside office hours in the council's timezone, weekends and
England and Wales bank holidays (`holidays`, GB subdivision ENG)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from council_social.config import WEEKDAYS


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=64)
def _bank_holidays(year: int):
    import holidays

    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def bank_holiday(day) -> str | None:
    return _bank_holidays(day.year).get(day)


def out_of_hours(moment: datetime, office_hours, timezone: str = "Europe/London") -> tuple[bool, str]:
    """(out of hours?, why) for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("out_of_hours needs an aware datetime")
    local = moment.astimezone(_zone(office_hours.timezone or timezone))
    holiday = bank_holiday(local.date())
    if holiday:
        return True, f"bank holiday ({holiday})"
    # OfficeHours.contains, on the local time already computed (one tz conversion, not two).
    day = WEEKDAYS[local.weekday()]
    if not (day in office_hours.days and office_hours.start <= local.time() < office_hours.end):
        if day not in office_hours.days:
            return True, "weekend" if local.weekday() >= 5 else f"not an office day ({day})"
        return True, f"outside {office_hours.start:%H:%M}-{office_hours.end:%H:%M}"
    return False, "office hours"


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
