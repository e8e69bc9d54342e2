"""The council itself: its people, accounts, teams, topics, office hours and targets."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import Field, PrivateAttr, field_validator, model_validator

from council_social.config.types import (
    HHMM,
    ConfigModel,
    Email,
    NonBlank,
    Platform,
    Slug,
    TeamKind,
    TimeZoneName,
    Url,
    Weekday,
    raise_at,
)


class Person(ConfigModel):
    name: NonBlank
    email: Email


class Council(ConfigModel):
    name: NonBlank
    short_name: NonBlank
    timezone: TimeZoneName = "Europe/London"
    website: Url
    head_of_communications: Person


class Baseline(ConfigModel):
    """Audience figures quoted in the strategy, the starting point for growth reports."""

    followers: int = Field(ge=0)
    daily_growth: float = Field(ge=0)
    as_of: date


class Account(ConfigModel):
    key: Slug
    platform: Platform
    handle: NonBlank
    external_id: str | None = None
    display_name: NonBlank
    team: Slug
    main: bool = False
    # True until someone has checked the handle and id against the live platform.
    sample: bool = True
    url: Url | None = None
    purpose: list[NonBlank] = Field(default_factory=list)
    baseline: Baseline | None = None

    @field_validator("handle")
    @classmethod
    def _no_at(cls, v: str) -> str:
        if v.startswith("@"):
            raise ValueError("write the handle without the leading '@'")
        if any(c.isspace() for c in v):
            raise ValueError("handle must not contain whitespace")
        return v

    @model_validator(mode="after")
    def _twitter_id(self) -> Account:
        if self.platform == "twitter" and not (self.external_id or "").isdigit():
            raise_at(
                "Account",
                [(("external_id",), "a twitter account needs its numeric user id", self.external_id)],
            )
        return self


class OfficeHours(ConfigModel):
    days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    start: HHMM = time(9, 0)
    end: HHMM = time(17, 0)
    timezone: TimeZoneName | None = None  # None -> council.timezone (filled on load)

    @field_validator("days")
    @classmethod
    def _unique_days(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("days must not repeat")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> OfficeHours:
        if self.start >= self.end:
            raise_at(
                "OfficeHours",
                [(("end",), f"end {self.end:%H:%M} must be after start {self.start:%H:%M}",
                  self.end.strftime("%H:%M"))],
            )
        return self

    # The bank holidays that close the office: `cases.holiday_country` and
    # `holiday_subdivision`, filled on load (England and Wales until then).
    _holidays: tuple[str, str | None] = PrivateAttr(default=("GB", "ENG"))

    def close_on_holidays_of(self, country: str, subdivision: str | None) -> None:
        self._holidays = (country, subdivision)

    def calendar(self, default_timezone: str = "Europe/London"):
        """The council's working calendar for these office hours."""
        from council_social.working_calendar import WorkingCalendar

        return WorkingCalendar.from_office_hours(self, default_timezone, *self._holidays)

    def contains(self, moment: datetime, default_timezone: str = "Europe/London") -> bool:
        """True when an aware datetime falls inside office hours (local time), which
        are never on a bank holiday."""
        if moment.tzinfo is None:
            raise ValueError("office hours need an aware datetime")
        return self.calendar(default_timezone).in_office_hours(moment)


class OutOfHoursRota(ConfigModel):
    email: Email
    phone: NonBlank | None = None
    notes: str | None = None


class Team(ConfigModel):
    key: Slug
    name: NonBlank
    kind: TeamKind
    email: Email
    lead_officer: Person
    members: list[Person] = Field(default_factory=list)
    out_of_hours_rota: OutOfHoursRota | None = None


class Topic(ConfigModel):
    key: Slug
    name: NonBlank
    service: Slug
    keywords: list[NonBlank] = Field(min_length=1)
    hashtags: list[NonBlank] = Field(default_factory=list)
    weight: float = Field(ge=0, le=1)
    link: Url
    reputational: bool = False

    @field_validator("hashtags")
    @classmethod
    def _strip_hash(cls, v: list[str]) -> list[str]:
        # Stored without '#', so matching code need not care how the file spelled it.
        return [h.lstrip("#") for h in v]


class ResponseTarget(ConfigModel):
    hours: float | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, gt=0)
    # False: the clock pauses outside office hours (only meaningful for `hours`).
    clock_runs_out_of_hours: bool = True
    description: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ResponseTarget:
        if (self.hours is None) == (self.working_days is None):
            raise_at(
                "ResponseTarget",
                [((), "give exactly one of hours or working_days",
                  {"hours": self.hours, "working_days": self.working_days})],
            )
        return self
