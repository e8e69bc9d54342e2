"""Promotion: follow-back suggestions, local trends, campaign hashtags, competitions."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

from council_social.config.types import ConfigModel, NonBlank, Slug


class Campaign(ConfigModel):
    """A hashtag of the council's own, tracked across accounts and residents."""

    tag: NonBlank
    campaign: NonBlank
    starts: date
    ends: date
    service: Slug  # the owning team

    @field_validator("tag")
    @classmethod
    def _bare_tag(cls, value: str) -> str:
        tag = value.strip().lstrip("#")
        if not tag or not all(c.isalnum() or c == "_" for c in tag):
            raise ValueError(f"{value!r} is not a hashtag (letters, digits, _)")
        return tag

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.ends < self.starts:
            raise ValueError(f"ends {self.ends} is before starts {self.starts}")
        return self


class PromotionSettings(ConfigModel):
    """The strategy's Promotion section (council_social.promotion)."""

    campaigns: list[Campaign] = Field(default_factory=list)
    # Follow-back: engagement counted over this window; at most this many suggestions an account.
    engagement_days: int = Field(default=90, ge=1)
    follow_back_limit: int = Field(default=50, ge=1)
    # Local trends: a day's use against the daily mean of this many past days.
    trend_baseline_days: int = Field(default=28, ge=1)
    trend_min_count: int = Field(default=3, ge=1)
    trend_growth: float = Field(default=2.0, gt=1)
    # Competitions: YAML files the promotion DAG draws when they close (paths or globs).
    competitions: list[NonBlank] = Field(default_factory=list)
