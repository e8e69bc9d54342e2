"""Load and validate a council's configuration (council.yaml).

One file describes a tenant: its accounts on each platform, teams, topics,
response targets and runtime settings. Every model forbids unknown keys so a
typo fails loudly at load time instead of silently falling back to a default.

Importing this module does no I/O; call `load_config()`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "CASE_KINDS",
    "CONFIG_ENV_VAR",
    "DATABASE_URL_ENV_VAR",
    "ENVIRONMENT_ENV_VAR",
    "STORAGE_ROOT_ENV_VAR",
    "PLATFORMS",
    "RESPONSE_TARGET_KINDS",
    "Account",
    "ArchiveRetention",
    "ArchiveSettings",
    "Baseline",
    "CaseSettings",
    "ChannelSettings",
    "Channels",
    "ConfigError",
    "Council",
    "Feed",
    "CouncilConfig",
    "CoverShift",
    "GridSettings",
    "NotificationSettings",
    "OfficeHours",
    "OutOfHoursRota",
    "Person",
    "PreElectionPeriod",
    "ReportsSettings",
    "ResponseTarget",
    "SimulatorSettings",
    "StorageSettings",
    "Team",
    "Topic",
    "TriageSettings",
    "TwitterChannelSettings",
    "ValidationSettings",
    "default_config_path",
    "load_config",
    "project_root",
]

CONFIG_ENV_VAR = "COUNCIL_SOCIAL_CONFIG"
# The shared storage every worker and the API server use (docker-compose sets it).
STORAGE_ROOT_ENV_VAR = "COUNCIL_SOCIAL_STORAGE_ROOT"
# "production" (docker-compose) refuses storage inside a container's local .data.
ENVIRONMENT_ENV_VAR = "COUNCIL_SOCIAL_ENV"
# Lets a deployment point the shipped council.yaml at a real server (docker-compose does).
DATABASE_URL_ENV_VAR = "COUNCIL_SOCIAL_DATABASE_URL"

Platform = Literal[
    "twitter", "facebook", "instagram", "youtube", "flickr", "linkedin", "feed", "eventbrite"
]
PLATFORMS: tuple[str, ...] = get_args(Platform)
TeamKind = Literal["web_team", "communications", "customer_services", "service"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
TargetKind = Literal[
    "customer_service",
    "foi",
    "webteam_respond",
    "service_conversation",
    "escalate_comms",
    "emergency",
]
RESPONSE_TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)
# The kinds of response case: triage outcomes that promise a reply, and the flags foi/emergency.
CaseKind = Literal["customer_service", "service_conversation", "escalate_comms", "foi", "emergency"]
CASE_KINDS: tuple[str, ...] = get_args(CaseKind)


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


def project_root() -> Path:
    """The directory holding `include/` (the repo, or /opt/airflow in the image)."""
    return Path(__file__).resolve().parents[2]


def default_config_path() -> Path:
    return Path(__file__).resolve().parents[1] / "config" / "council.yaml"


# --- field types -----------------------------------------------------------------------------

_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_HHMM_RE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_CRON_FIELD_RE = re.compile(r"^[0-9A-Za-z*/,\-?LW#]+$")
_CRON_PRESETS = {"@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}


def _slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug (lower-case letters, digits, '-' or '_')"
        )
    return value


def _email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


def _hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):
        # PyYAML reads unquoted 17:30 as the base-60 integer 1050.
        raise ValueError("write times as quoted 'HH:MM' strings (YAML reads 17:30 as a number)")
    if not isinstance(value, str) or not _HHMM_RE.match(value):
        raise ValueError(f"{value!r} is not a time in 24-hour HH:MM form")
    return time.fromisoformat(value)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _cron(value: str) -> str:
    if value in _CRON_PRESETS:
        return value
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD_RE.match(f) for f in fields):
        raise ValueError(f"{value!r} is not a 5-field cron expression or an @preset")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Email = Annotated[str, AfterValidator(_email)]
Url = Annotated[str, AfterValidator(_url)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
HHMM = Annotated[time, BeforeValidator(_hhmm)]
NonBlank = Annotated[str, AfterValidator(_non_blank)]
Cron = Annotated[str, AfterValidator(_cron)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _raise_at(title: str, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
    """Raise one ValidationError carrying every cross-field problem at its own path."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("config_reference", "{reason}", {"reason": reason}),
                    loc=loc,
                    input=value,
                )
                for loc, reason, value in problems
            ],
        )


def _duplicates(values: list[str]) -> dict[int, str]:
    seen: set[str] = set()
    dupes: dict[int, str] = {}
    for i, v in enumerate(values):
        if v in seen:
            dupes[i] = v
        seen.add(v)
    return dupes


# --- sections --------------------------------------------------------------------------------


class Person(_Model):
    name: NonBlank
    email: Email


class Council(_Model):
    name: NonBlank
    short_name: NonBlank
    timezone: TimeZoneName = "Europe/London"
    website: Url
    head_of_communications: Person


class Baseline(_Model):
    """Audience figures quoted in the strategy, the starting point for growth reports."""

    followers: int = Field(ge=0)
    daily_growth: float = Field(ge=0)
    as_of: date


class Account(_Model):
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
            _raise_at(
                "Account",
                [(("external_id",), "a twitter account needs its numeric user id", self.external_id)],
            )
        return self


class ChannelSettings(_Model):
    """How one platform is polled; pool and connection default from the platform name."""

    schedule: Cron = "*/15 * * * *"
    pool: Slug | None = None
    pool_slots: int = Field(default=2, ge=1)
    connection_id: NonBlank | None = None
    page_size: int = Field(default=100, ge=5, le=100)
    max_pages_per_run: int = Field(default=50, ge=1)
    initial_lookback_hours: float = Field(default=24, gt=0)
    max_rate_limit_wait_seconds: float = Field(default=60, ge=0)
    endpoints: list[NonBlank] = Field(default_factory=list)
    # Non-X channels: comments keep arriving on recent posts, so each run re-reads them.
    comment_window_hours: float = Field(default=72, gt=0)
    # YouTube: quota units per day (Google's default 10,000); a run stops before passing it.
    quota_units_per_day: int = Field(default=10_000, ge=1)
    quota_reserve_units: int = Field(default=0, ge=0)
    groups: list[NonBlank] = Field(default_factory=list)  # Facebook group ids the page can read
    hashtags: list[NonBlank] = Field(default_factory=list)  # Instagram hashtag search
    search_text: NonBlank | None = None  # Flickr photos.search text

    @field_validator("endpoints")
    @classmethod
    def _unique_endpoints(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("endpoints must not repeat")
        return v


class TwitterChannelSettings(ChannelSettings):
    endpoints: list[Literal["mentions", "tweets"]] = Field(
        default_factory=lambda: ["mentions", "tweets"], min_length=1
    )


class Channels(_Model):
    """Per-platform settings; a platform left out is not polled (twitter always is)."""

    twitter: TwitterChannelSettings = Field(default_factory=TwitterChannelSettings)
    facebook: ChannelSettings | None = None
    instagram: ChannelSettings | None = None
    youtube: ChannelSettings | None = None
    flickr: ChannelSettings | None = None
    linkedin: ChannelSettings | None = None
    feed: ChannelSettings | None = None
    eventbrite: ChannelSettings | None = None

    @model_validator(mode="after")
    def _fill_platform_defaults(self) -> Channels:
        for platform in PLATFORMS:
            settings = getattr(self, platform)
            if settings is None:
                continue
            if settings.pool is None:
                settings.pool = f"{platform}_api"
            if settings.connection_id is None:
                settings.connection_id = f"council_social_{platform}"
        return self

    def __getitem__(self, platform: str) -> ChannelSettings:
        settings = self.get(platform)
        if settings is None:
            raise KeyError(f"no channel settings for platform {platform!r}")
        return settings

    def get(self, platform: str) -> ChannelSettings | None:
        if platform not in PLATFORMS:
            raise KeyError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
        return getattr(self, platform)

    def configured(self) -> dict[str, ChannelSettings]:
        return {p: s for p in PLATFORMS if (s := getattr(self, p)) is not None}


_DEFAULT_LANGUAGE_PATTERN = (
    r"^(?:[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|und|qme|qam|qct|qht|qst|zxx)$"
)


FeedKind = Literal["blog", "forum", "community", "alerts", "news"]


class Feed(_Model):
    """An RSS, Atom or JSON feed watched like an account (platform `feed`)."""

    key: Slug
    name: NonBlank
    url: Url
    kind: FeedKind = "blog"
    site_audience: int | None = Field(default=None, ge=0)  # readers a month, for influence
    team: Slug = "web-team"

    platform: Literal["feed"] = "feed"

    @property
    def handle(self) -> str:
        return self.url

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def external_id(self) -> None:
        return None


class ValidationSettings(_Model):
    text_max_bytes: int = Field(default=4000, gt=0)
    future_skew_minutes: float = Field(default=5, ge=0)
    # X (then Twitter) launched on 2006-03-21; anything earlier is a parse error.
    earliest_created_at: AwareDatetime = datetime(2006, 3, 21, tzinfo=UTC)
    language_pattern: str = _DEFAULT_LANGUAGE_PATTERN

    @field_validator("language_pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return v

    @property
    def language_re(self) -> re.Pattern[str]:
        return re.compile(self.language_pattern)


class OfficeHours(_Model):
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
            _raise_at(
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


class OutOfHoursRota(_Model):
    email: Email
    phone: NonBlank | None = None
    notes: str | None = None


class Team(_Model):
    key: Slug
    name: NonBlank
    kind: TeamKind
    email: Email
    lead_officer: Person
    members: list[Person] = Field(default_factory=list)
    out_of_hours_rota: OutOfHoursRota | None = None


class Topic(_Model):
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


class ResponseTarget(_Model):
    hours: float | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, gt=0)
    # False: the clock pauses outside office hours (only meaningful for `hours`).
    clock_runs_out_of_hours: bool = True
    description: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ResponseTarget:
        if (self.hours is None) == (self.working_days is None):
            _raise_at(
                "ResponseTarget",
                [((), "give exactly one of hours or working_days",
                  {"hours": self.hours, "working_days": self.working_days})],
            )
        return self


class CaseSettings(_Model):
    """Response cases (council_social.cases): which kinds open, whose calendar, who owns them."""

    kinds: list[CaseKind] = Field(default_factory=lambda: list(CASE_KINDS))
    # Bank holidays from the `holidays` package; England and Wales share ENG's list.
    holiday_country: NonBlank = "GB"
    holiday_subdivision: NonBlank | None = "ENG"
    # Decisions about items older than this open no case (a re-triage backfill of last
    # year must not page anyone).
    open_lookback_days: float = Field(default=7, gt=0)
    # Items received before this open no case (no flood of history on first start, none
    # from a backfill). None -> the start of the first response_watch run, stored then.
    open_from: AwareDatetime | None = None
    # The head of communications hears at this multiple of the target.
    second_escalation_factor: float = Field(default=2, gt=1)
    foi_reminder_working_days: list[int] = Field(default_factory=lambda: [5, 1])
    # Team owning FoI cases when triage names no department (None -> the web team).
    foi_team: Slug | None = None


class NotificationSettings(_Model):
    # An Airflow SMTP Connection; without one the demo writes .eml files instead.
    smtp_connection_id: NonBlank = "council_social_smtp"
    # None -> the Connection's from_email extra.
    from_email: Email | None = None


class SimulatorSettings(_Model):
    seed: int = 20150810
    mentions_per_hour: float = Field(default=30.0, gt=0)
    # Simulator-only dummy credential; real tokens come from Airflow connections.
    bearer_token: NonBlank = "sim-token"


class StorageSettings(_Model):
    data_dir: NonBlank = ".data"
    database_url: str | None = None  # None -> the embedded PostgreSQL under data_dir
    output_dir: NonBlank = "out"
    # What every worker and the API server must see alike: the WARC archive, the model
    # registry, the grid and report pages and the outbox, under one root. A path or an
    # fsspec URL (s3://bucket/prefix). None -> the one-machine layout: data_dir for the
    # archive, models and outbox, output_dir for the pages.
    root: NonBlank | None = None


class InfluenceWeights(_Model):
    """Klout-like influence: each component is 0..1, the weights share out 1..100."""

    audience: float = Field(default=0.40, ge=0)
    engagement: float = Field(default=0.20, ge=0)
    reach: float = Field(default=0.10, ge=0)
    verified: float = Field(default=0.10, ge=0)
    listed: float = Field(default=0.05, ge=0)
    account_age: float = Field(default=0.05, ge=0)
    site: float = Field(default=0.10, ge=0)


class TriageSettings(_Model):
    """The triage tree's thresholds; decisions are keyed by `rules_version`."""

    rules_version: NonBlank = "2026.12-1"
    critical_threshold: float = Field(default=0.5, ge=0, le=1)
    # False: the complaint and praise cues only, without the calibrated text model.
    use_model: bool = True
    escalate_influence: int = Field(default=70, ge=1, le=100)
    escalate_importance: float = Field(default=0.8, ge=0)
    conversation_importance: float = Field(default=0.6, ge=0)
    conversation_growth_per_hour: float = Field(default=3.0, ge=0)
    influence_window_days: int = Field(default=90, ge=1)
    influence_weights: InfluenceWeights = Field(default_factory=InfluenceWeights)
    # Monthly audience of sites whose posts reach beyond the author (forums, blogs).
    site_audience: dict[str, int] = Field(default_factory=dict)
    reputational_keywords: list[NonBlank] = Field(default_factory=list)
    impersonation_similarity: float = Field(default=85, ge=0, le=100)
    foi_invalid_reply: NonBlank = (
        "Thanks for your Freedom of Information request. To accept it we need your real name "
        "and an address for correspondence (email or postal): please send them, or use our "
        "online form at {link}."
    )
    signpost_reply: NonBlank = "Hi, you'll find what you need about {topic} here: {link}"


class ArchiveRetention(_Model):
    """Years each record class is kept; a file goes only when every record in it may."""

    default_years: int = Field(default=6, ge=1)
    # own_posts | mentions | search | rechecks | other -> years (default_years if absent)
    classes: dict[Slug, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)

    def years_for(self, record_class: str) -> int:
        return self.classes.get(record_class, self.default_years)


class ArchiveSettings(_Model):
    # None -> <data_dir>/archive. A path (a mounted bucket works) or an fsspec URL such as
    # s3://bucket/prefix (needs that filesystem's fsspec package); see README, "Archive".
    root: NonBlank | None = None
    # How far back the daily re-check looks for edited or deleted posts and mentions.
    recheck_days: int = Field(default=7, ge=0)
    retention: ArchiveRetention = Field(default_factory=ArchiveRetention)
    # The chain's head, appended after every file, somewhere the database's and the archive
    # root's owners cannot rewrite (a WORM mount, another host's share). None ->
    # <data_dir>/archive-anchor.log; env COUNCIL_SOCIAL_ARCHIVE_ANCHOR wins. README, "Archive".
    anchor_path: NonBlank | None = None
    # Receives each day's head by email: a copy of the anchor nobody here can edit.
    records_officer_email: Email | None = None


class PreElectionPeriod(_Model):
    """Purdah: non-essential planned posts are held; posting needs a logged override."""

    name: NonBlank
    start: date
    end: date  # inclusive

    @model_validator(mode="after")
    def _ordered(self) -> PreElectionPeriod:
        if self.end < self.start:
            _raise_at("PreElectionPeriod",
                      [(("end",), f"end {self.end} is before start {self.start}", str(self.end))])
        return self

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class CoverShift(_Model):
    """Who watches the channels when a post goes out outside office hours."""

    days: list[Weekday] = Field(min_length=1)
    start: HHMM
    end: HHMM
    officer: NonBlank
    team: Slug

    @model_validator(mode="after")
    def _ordered(self) -> CoverShift:
        if self.start >= self.end:
            _raise_at("CoverShift",
                      [(("end",), f"end {self.end:%H:%M} must be after start {self.start:%H:%M}",
                        self.end.strftime("%H:%M"))])
        return self

    def covers(self, local: datetime) -> bool:
        return WEEKDAYS[local.weekday()] in self.days and self.start <= local.time() < self.end


class GridSettings(_Model):
    """The forward planner, the fortnightly grid and the publisher."""

    output_dir: str | None = None  # None -> <storage.output_dir>/grid
    posts_per_day: int = Field(default=4, ge=1)
    posts_per_day_by_account: dict[str, int] = Field(default_factory=dict)
    min_gap_minutes: int = Field(default=120, ge=0)
    campaign_posts_per_week: int = Field(default=3, ge=1)
    # Candidate posting times (local, on the hour): first and last hour a post may go out.
    first_hour: int = Field(default=7, ge=0, le=23)
    last_hour: int = Field(default=21, ge=0, le=23)
    default_best_hours: list[int] = Field(default_factory=lambda: [8, 12, 17])
    default_weekend_best_hours: list[int] = Field(default_factory=lambda: [10, 13])
    # Learn best times only from this many own posts; fewer -> the defaults above.
    min_history_posts: int = Field(default=20, ge=1)
    history_days: int = Field(default=90, ge=1)
    # Pseudo-posts of the default prior mixed into each hour's learned score.
    smoothing_posts: float = Field(default=3.0, ge=0)
    pre_election: list[PreElectionPeriod] = Field(default_factory=list)
    cover_rota: list[CoverShift] = Field(default_factory=list)
    posting_enabled: bool = True
    # A slot missed by more than this (scheduler down) is reported, not posted late.
    late_grace_minutes: int = Field(default=60, ge=5)
    # Officers who approve planner entries before anything is placed or posted.
    approvers: list[NonBlank] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hours(self) -> GridSettings:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        if self.first_hour > self.last_hour:
            problems.append((("last_hour",), "last_hour must not be before first_hour",
                             self.last_hour))
        for name in ("default_best_hours", "default_weekend_best_hours"):
            for i, h in enumerate(getattr(self, name)):
                if not 0 <= h <= 23:
                    problems.append(((name, i), f"hour {h} is not between 0 and 23", h))
        _raise_at("GridSettings", problems)
        return self

    def cap_for(self, account_key: str) -> int:
        return self.posts_per_day_by_account.get(account_key, self.posts_per_day)

    def pre_election_on(self, day: date) -> PreElectionPeriod | None:
        return next((p for p in self.pre_election if p.contains(day)), None)


class ReportsSettings(_Model):
    """Daily metrics, emerging-issue alerts and the weekly report (council_social.reports)."""

    output_dir: str | None = None  # None -> <storage.output_dir>/reports
    # Spikes: an hour's count per topic against the same hour of this many past weeks.
    baseline_weeks: int = Field(default=4, ge=1)
    spike_min_count: int = Field(default=5, ge=1)
    # Poisson tail probability below which an hour is a spike.
    spike_p_value: float = Field(default=0.001, gt=0, lt=1)
    # A hashtag trends when used this often in a day, at this multiple of its past daily mean.
    hashtag_min_count: int = Field(default=5, ge=1)
    hashtag_growth: float = Field(default=3.0, gt=1)
    hashtag_history_days: int = Field(default=7, ge=1)
    # Who hears about alerts and gets the weekly report (None -> the web team's address).
    recipients: list[Email] | None = None
    weekly_weeks_of_history: int = Field(default=8, ge=1)


class GovernanceSettings(_Model):
    """The strategy's account governance: requests for new accounts, dormant accounts."""

    # An account with no own post for this long raises one alert (the duty of fresh content).
    dormant_after_days: int = Field(default=28, ge=1)


class HouseRule(_Model):
    """One of the house rules that govern moderation; the strategy says hide, do not delete."""

    key: Slug
    text: NonBlank
    allow_delete: bool = False


class CouncilConfig(_Model):
    council: Council
    accounts: list[Account] = Field(min_length=1)
    channels: Channels = Field(default_factory=Channels)
    feeds: list[Feed] = Field(default_factory=list)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)
    teams: list[Team] = Field(min_length=1)
    topics: list[Topic] = Field(default_factory=list)
    places: list[NonBlank] = Field(default_factory=list)
    response_targets: dict[TargetKind, ResponseTarget]
    cases: CaseSettings = Field(default_factory=CaseSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    grid: GridSettings = Field(default_factory=GridSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    triage: TriageSettings = Field(default_factory=TriageSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)
    governance: GovernanceSettings = Field(default_factory=GovernanceSettings)
    house_rules: list[HouseRule] = Field(default_factory=list)

    _source_path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_check(self) -> CouncilConfig:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        team_keys = [t.key for t in self.teams]
        for i, key in _duplicates(team_keys).items():
            problems.append((("teams", i, "key"), f"duplicate team key {key!r}", key))
        for i, key in _duplicates([a.key for a in self.accounts]).items():
            problems.append((("accounts", i, "key"), f"duplicate account key {key!r}", key))
        for i, key in _duplicates([f.key for f in self.feeds]).items():
            problems.append((("feeds", i, "key"), f"duplicate feed key {key!r}", key))
        for i, key in _duplicates([t.key for t in self.topics]).items():
            problems.append((("topics", i, "key"), f"duplicate topic key {key!r}", key))
        for i, place in _duplicates([p.casefold() for p in self.places]).items():
            problems.append((("places", i), f"duplicate place {self.places[i]!r}", place))
        known = set(team_keys)
        choices = ", ".join(sorted(known))
        for i, a in enumerate(self.accounts):
            if a.team not in known:
                problems.append(
                    (("accounts", i, "team"), f"unknown team {a.team!r}; teams are: {choices}",
                     a.team)
                )
        for i, t in enumerate(self.topics):
            if t.service not in known:
                problems.append(
                    (("topics", i, "service"),
                     f"unknown team {t.service!r}; teams are: {choices}", t.service)
                )
        if self.cases.foi_team is not None and self.cases.foi_team not in known:
            problems.append(
                (("cases", "foi_team"), f"unknown team {self.cases.foi_team!r}; teams are: {choices}",
                 self.cases.foi_team)
            )
        main_seen: dict[str, str] = {}
        for i, a in enumerate(self.accounts):
            if not a.main:
                continue
            if a.platform in main_seen:
                problems.append(
                    (("accounts", i, "main"),
                     f"{a.platform} already has a main account ({main_seen[a.platform]!r})",
                     a.main)
                )
            else:
                main_seen[a.platform] = a.key
        account_keys = {a.key for a in self.accounts}
        for key in self.grid.posts_per_day_by_account:
            if key not in account_keys:
                problems.append((("grid", "posts_per_day_by_account", key),
                                 f"unknown account {key!r}", key))
        for i, key in _duplicates([r.key for r in self.house_rules]).items():
            problems.append((("house_rules", i, "key"), f"duplicate house rule {key!r}", key))
        for i, shift in enumerate(self.grid.cover_rota):
            if shift.team not in known:
                problems.append((("grid", "cover_rota", i, "team"),
                                 f"unknown team {shift.team!r}; teams are: {choices}", shift.team))
        missing = [k for k in RESPONSE_TARGET_KINDS if k not in self.response_targets]
        if missing:
            problems.append(
                (("response_targets",), f"missing targets for: {', '.join(missing)}",
                 sorted(self.response_targets))
            )
        _raise_at("CouncilConfig", problems)
        if self.office_hours.timezone is None:
            self.office_hours.timezone = self.council.timezone
        self.office_hours.close_on_holidays_of(self.cases.holiday_country,
                                               self.cases.holiday_subdivision)
        return self

    # --- helpers -------------------------------------------------------------------------

    def accounts_for(self, platform: str) -> list[Account]:
        if platform not in PLATFORMS:
            raise KeyError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
        return [a for a in self.accounts if a.platform == platform]

    def feed(self, key: str) -> Feed:
        for f in self.feeds:
            if f.key == key:
                return f
        raise KeyError(f"no feed {key!r}; feeds are: {', '.join(f.key for f in self.feeds)}")

    def sources_for(self, platform: str) -> list:
        """What a channel's ingest maps over: the platform's accounts, or the feeds."""
        return list(self.feeds) if platform == "feed" else self.accounts_for(platform)

    def source(self, platform: str, key: str):
        return self.feed(key) if platform == "feed" else self.account(key)

    def main_account(self, platform: str) -> Account | None:
        return next((a for a in self.accounts_for(platform) if a.main), None)

    def account(self, key: str) -> Account:
        for a in self.accounts:
            if a.key == key:
                return a
        raise KeyError(
            f"no account {key!r}; accounts are: {', '.join(a.key for a in self.accounts)}"
        )

    def team(self, key: str) -> Team:
        for t in self.teams:
            if t.key == key:
                return t
        raise KeyError(f"no team {key!r}; teams are: {', '.join(t.key for t in self.teams)}")

    def topic(self, key: str) -> Topic:
        for t in self.topics:
            if t.key == key:
                return t
        raise KeyError(f"no topic {key!r}; topics are: {', '.join(t.key for t in self.topics)}")

    def teams_of_kind(self, kind: str) -> list[Team]:
        return [t for t in self.teams if t.kind == kind]

    def web_team_officers(self) -> list[str]:
        """Names of the web team's lead officers and members."""
        return [p.name for t in self.teams_of_kind("web_team") for p in (t.lead_officer, *t.members)]

    def house_rule(self, key: str) -> HouseRule:
        for r in self.house_rules:
            if r.key == key:
                return r
        raise KeyError(f"no house rule {key!r}; rules are: {', '.join(r.key for r in self.house_rules)}")

    def is_office_hours(self, moment: datetime) -> bool:
        return self.office_hours.contains(moment, self.council.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.council.timezone)

    @property
    def source_path(self) -> Path | None:
        """The file this config was loaded from (None if built in code)."""
        return self._source_path

    @property
    def project_root(self) -> Path:
        return project_root()

    @property
    def base_dir(self) -> Path:
        """Where relative paths in the file resolve: the file's own folder; the packaged
        file's are relative to the project (its `.data` and `out`)."""
        source = self._source_path
        if source is None or source == default_config_path():
            return project_root()
        return source.parent

    def _resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def resolve_location(self, value: str):
        """A path (relative to base_dir), or an fsspec URL opened with universal_pathlib
        (the base of Airflow's ObjectStoragePath)."""
        if "://" in value:
            from upath import UPath

            return UPath(value)
        return self._resolve(value)

    @property
    def storage_root(self):
        """The shared storage root (Path or UPath), or None for the one-machine layout."""
        return None if self.storage.root is None else self.resolve_location(self.storage.root)

    @property
    def storage_base(self):
        """storage.root, else data_dir: the folder holding archive/, models/ and outbox/."""
        root = self.storage_root
        return self.data_dir_path if root is None else root

    def _stored(self, name: str, legacy: Path):
        root = self.storage_root
        return legacy if root is None else root / name

    @property
    def data_dir_path(self) -> Path:
        return self._resolve(self.storage.data_dir)

    @property
    def output_dir_path(self) -> Path:
        return self._resolve(self.storage.output_dir)

    @property
    def archive_default_path(self):
        return self.storage_base / "archive"

    @property
    def models_path(self):
        """The model registry: promoted criticality models and the retrain log."""
        return self.storage_base / "models"

    @property
    def outbox_path(self):
        """Mail written as .eml files when no SMTP Connection exists."""
        return self.storage_base / "outbox"

    @property
    def reports_output_path(self):
        if self.reports.output_dir:
            return self.resolve_location(self.reports.output_dir)
        return self._stored("reports", self.output_dir_path / "reports")

    @property
    def grid_output_path(self):
        if self.grid.output_dir:
            return self.resolve_location(self.grid.output_dir)
        return self._stored("grid", self.output_dir_path / "grid")


# --- loading ---------------------------------------------------------------------------------


def _format_loc(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


def resolve_config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Explicit argument, else $COUNCIL_SOCIAL_CONFIG, else the packaged council.yaml."""
    if path is not None and str(path) != "":
        return Path(path).expanduser().resolve()
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_config_path()


def load_config(path: str | os.PathLike[str] | None = None) -> CouncilConfig:
    """Read, parse and validate a council.yaml; raise ConfigError naming every problem."""
    source = resolve_config_path(path)
    name = _display(source)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{name}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read config file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{name}: invalid YAML{where}: {problem}") from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{name}: the top level must be a mapping of sections, got {kind}")
    for env_var, key in ((DATABASE_URL_ENV_VAR, "database_url"), (STORAGE_ROOT_ENV_VAR, "root")):
        override = os.environ.get(env_var)
        if override:
            storage = data.get("storage")
            data["storage"] = {**(storage if isinstance(storage, dict) else {}), key: override}
    try:
        config = CouncilConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: {exc.error_count()} problem(s) in council configuration"]
        lines += [
            f"{name}: {_format_loc(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None
    config._source_path = source
    if os.environ.get(ENVIRONMENT_ENV_VAR, "").strip().lower() == "production":
        _refuse_local_storage(config, name)
    return config


def _refuse_local_storage(config: CouncilConfig, name: str) -> None:
    """In production the archive and pages must be on shared storage, not a container's
    own `.data`, which another container cannot see and a rebuild loses."""
    root = config.storage_root
    where = "storage.root" if root is not None else "storage.root (unset, so data_dir)"
    root = root if root is not None else config.data_dir_path
    if isinstance(root, Path) and ".data" in root.parts:
        raise ConfigError(
            f"{name}: {where} is {root}, inside a local .data folder; in production "
            f"({ENVIRONMENT_ENV_VAR}=production) set {STORAGE_ROOT_ENV_VAR} or storage.root "
            "to the shared volume, e.g. /opt/airflow/storage"
        )
