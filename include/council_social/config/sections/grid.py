"""The forward planner, the fortnightly grid, purdah and the cover rota."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, model_validator

from council_social.config.types import (
    HHMM,
    WEEKDAYS,
    ConfigModel,
    NonBlank,
    Slug,
    Weekday,
    raise_at,
)


class PreElectionPeriod(ConfigModel):
    """Purdah: non-essential planned posts are held; posting needs a logged override."""

    name: NonBlank
    start: date
    end: date  # inclusive

    @model_validator(mode="after")
    def _ordered(self) -> PreElectionPeriod:
        if self.end < self.start:
            raise_at("PreElectionPeriod",
                      [(("end",), f"end {self.end} is before start {self.start}", str(self.end))])
        return self

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class CoverShift(ConfigModel):
    """Who watches the channels when a post goes out outside office hours."""

    days: list[Weekday] = Field(min_length=1)
    start: HHMM
    end: HHMM
    officer: NonBlank
    team: Slug

    @model_validator(mode="after")
    def _ordered(self) -> CoverShift:
        if self.start >= self.end:
            raise_at("CoverShift",
                      [(("end",), f"end {self.end:%H:%M} must be after start {self.start:%H:%M}",
                        self.end.strftime("%H:%M"))])
        return self

    def covers(self, local: datetime) -> bool:
        return WEEKDAYS[local.weekday()] in self.days and self.start <= local.time() < self.end


class GridSettings(ConfigModel):
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
        raise_at("GridSettings", problems)
        return self

    def cap_for(self, account_key: str) -> int:
        return self.posts_per_day_by_account.get(account_key, self.posts_per_day)

    def pre_election_on(self, day: date) -> PreElectionPeriod | None:
        return next((p for p in self.pre_election if p.contains(day)), None)
