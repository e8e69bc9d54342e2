"""How each platform is polled, the watched feeds, and what ingest accepts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from council_social.config.types import (
    PLATFORMS,
    ConfigModel,
    Cron,
    NonBlank,
    Slug,
    Url,
)


class ChannelSettings(ConfigModel):
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


class Channels(ConfigModel):
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


class Feed(ConfigModel):
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


class ValidationSettings(ConfigModel):
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
