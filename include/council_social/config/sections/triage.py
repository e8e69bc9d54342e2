"""The triage tree's thresholds and the influence score's weights."""

from __future__ import annotations

from pydantic import Field

from council_social.config.types import (
    ConfigModel,
    NonBlank,
)


class InfluenceWeights(ConfigModel):
    """Klout-like influence: each component is 0..1, the weights share out 1..100."""

    audience: float = Field(default=0.40, ge=0)
    engagement: float = Field(default=0.20, ge=0)
    reach: float = Field(default=0.10, ge=0)
    verified: float = Field(default=0.10, ge=0)
    listed: float = Field(default=0.05, ge=0)
    account_age: float = Field(default=0.05, ge=0)
    site: float = Field(default=0.10, ge=0)


class TriageSettings(ConfigModel):
    """The triage tree's thresholds; decisions are keyed by `rules_version`."""

    rules_version: NonBlank = "2026.12-5"
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
