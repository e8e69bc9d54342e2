"""The council's one working calendar: office hours, bank holidays, working days,
the cover rota and response deadlines, in council time (Europe/London).

Triage (out of hours), the grid (who may post when) and cases (deadlines) all
ask this module, so one moment is in or out of office hours for all of them.

A working day is Monday to Friday less the configured country's bank holidays
(`cases.holiday_country` / `holiday_subdivision`, default England and Wales)
from the `holidays` package (substitute days and one-off holidays included).
Office hours are the configured office days and times, never on a bank holiday.

FoI and other working-day targets: the receipt day is day 0 whatever the time
(so a request at 16:30, or on a weekend or bank holiday, counts from the next
working day); day 1 is the first working day after it; the deadline is the end
of the Nth working day, 23:59:59 local time.

Hour targets: with `clock_runs_out_of_hours` the clock is elapsed time (24 h
across a clock change is still 24 real hours); without it only office hours
on office days that are not bank holidays count.

Every function takes and returns aware datetimes; arithmetic on instants is
done in UTC and days are counted on local dates, so clock changes cannot
shift a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = "Europe/London"
END_OF_DAY = time(23, 59, 59)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar search that runs this far without finding a working day is a bug.
_MAX_SEARCH_DAYS = 3660


@lru_cache(maxsize=8)
def _holidays(country: str, subdivision: str | None):
    import holidays

    # expand=True (the default) fills in each year on first lookup.
    return holidays.country_holidays(country, subdiv=subdivision)


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str = LONDON
    country: str = "GB"
    subdivision: str | None = "ENG"
    # Office hours, for clocks that pause out of hours.
    office_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    office_start: time = time(9, 0)
    office_end: time = time(17, 0)
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tz", ZoneInfo(self.timezone))

    @classmethod
    def from_config(cls, config) -> WorkingCalendar:
        return cls.from_office_hours(config.office_hours, config.council.timezone,
                                     config.cases.holiday_country,
                                     config.cases.holiday_subdivision)

    @classmethod
    def from_office_hours(cls, office, default_timezone: str = LONDON, country: str = "GB",
                          subdivision: str | None = "ENG") -> WorkingCalendar:
        """The calendar for a config `OfficeHours` (its own timezone wins when set)."""
        return _calendar(office.timezone or default_timezone, country, subdivision,
                         tuple(office.days), office.start, office.end)

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # --- days --------------------------------------------------------------------------

    def bank_holiday(self, day: date) -> str | None:
        """The holiday's name, or None."""
        return _holidays(self.country, self.subdivision).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.bank_holiday(day) is None

    def is_office_day(self, day: date) -> bool:
        return WEEKDAY_NAMES[day.weekday()] in self.office_days and self.bank_holiday(day) is None

    # --- hours -------------------------------------------------------------------------

    def office_hours_status(self, moment: datetime) -> tuple[bool, str]:
        """(in office hours?, why) for an aware datetime."""
        local = _aware(moment).astimezone(self._tz)
        holiday = self.bank_holiday(local.date())
        if holiday:
            return False, f"bank holiday ({holiday})"
        weekday = local.weekday()
        day = WEEKDAY_NAMES[weekday]
        if day not in self.office_days:
            return False, "weekend" if weekday >= 5 else f"not an office day ({day})"
        if not self.office_start <= local.time() < self.office_end:
            return False, f"outside {self.office_start:%H:%M}-{self.office_end:%H:%M}"
        return True, "office hours"

    def in_office_hours(self, moment: datetime) -> bool:
        return self.office_hours_status(moment)[0]

    def cover(self, moment: datetime, rota) -> tuple[bool, str | None]:
        """(may post, who covers): office hours need no cover; outside them a shift of
        the rota (config `CoverShift`s, matched on local time) must."""
        if self.in_office_hours(moment):
            return True, None
        local = _aware(moment).astimezone(self._tz)
        for shift in rota:
            if shift.covers(local):
                return True, f"{shift.officer} ({shift.team})"
        return False, None

    def local_date(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self._tz).date()

    def add_working_days(self, day: date, n: int) -> date:
        """The Nth working day after `day` (which is day 0); n >= 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        current = day
        for _ in range(_MAX_SEARCH_DAYS):
            current += timedelta(days=1)
            if self.is_working_day(current):
                found += 1
                if found == n:
                    return current
        raise RuntimeError(f"no {n} working days within {_MAX_SEARCH_DAYS} days of {day}")

    def subtract_working_days(self, day: date, n: int) -> date:
        """The Nth working day before `day`; n >= 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        current = day
        for _ in range(_MAX_SEARCH_DAYS):
            current -= timedelta(days=1)
            if self.is_working_day(current):
                found += 1
                if found == n:
                    return current
        raise RuntimeError(f"no {n} working days within {_MAX_SEARCH_DAYS} days before {day}")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many FoI days have elapsed by the end of `end`."""
        if end <= start:
            return 0
        return sum(
            1 for i in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=i))
        )

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, tzinfo=self._tz)

    def start_of_office_day(self, day: date) -> datetime:
        return datetime.combine(day, self.office_start, tzinfo=self._tz)

    # --- deadlines ---------------------------------------------------------------------

    def working_day_deadline(self, received: datetime, working_days: int) -> datetime:
        """End (23:59:59 local) of the Nth working day after the day of receipt."""
        return self.end_of_day(self.add_working_days(self.local_date(received), working_days))

    def foi_deadline(self, received: datetime, working_days: int = 20) -> datetime:
        return self.working_day_deadline(received, working_days)

    def clock_deadline(self, received: datetime, hours: float, runs_out_of_hours: bool) -> datetime:
        received = _aware(received)
        if runs_out_of_hours:
            return (_utc(received) + timedelta(hours=hours)).astimezone(self._tz)
        return self._office_clock(received, timedelta(hours=hours))

    def _office_clock(self, received: datetime, remaining: timedelta) -> datetime:
        """Spend `remaining` office time from `received`; return the instant it runs out."""
        local = received.astimezone(self._tz)
        day = local.date()
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_office_day(day):
                opens = datetime.combine(day, self.office_start, tzinfo=self._tz)
                closes = datetime.combine(day, self.office_end, tzinfo=self._tz)
                begin = max(_utc(opens), _utc(received))
                end = _utc(closes)
                if begin < end:
                    available = end - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(self._tz)
                    remaining -= available
            day += timedelta(days=1)
        raise RuntimeError("office-hours clock did not finish within ten years")

    def deadline(self, target, received: datetime, factor: float = 1) -> datetime:
        """Deadline for a config `ResponseTarget` (hours or working_days); `factor` scales it."""
        if target.working_days is not None:
            return self.working_day_deadline(received, max(1, round(target.working_days * factor)))
        return self.clock_deadline(received, target.hours * factor, target.clock_runs_out_of_hours)

    def to_local(self, moment: datetime) -> datetime:
        return _aware(moment).astimezone(self._tz)


@lru_cache(maxsize=32)
def _calendar(*fields) -> WorkingCalendar:
    return WorkingCalendar(*fields)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the working calendar needs an aware datetime (with a UTC offset)")
    return moment


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
