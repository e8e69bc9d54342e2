"""Account governance and the house rules moderation enforces."""

from __future__ import annotations

from pydantic import Field

from council_social.config.types import (
    ConfigModel,
    NonBlank,
    Slug,
)


class GovernanceSettings(ConfigModel):
    """The strategy's account governance: requests for new accounts, dormant accounts."""

    # An account with no own post for this long raises one alert (the duty of fresh content).
    dormant_after_days: int = Field(default=28, ge=1)


class HouseRule(ConfigModel):
    """One of the house rules that govern moderation; the strategy says hide, do not delete."""

    key: Slug
    text: NonBlank
    allow_delete: bool = False
