"""Influence 1..100, Klout-like, explained per author.

Each component is scaled to 0..1 on a log scale (an audience of 100,000 is
the top of a borough's scale), weighted by council.yaml `triage.influence_weights`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

AUDIENCE_TOP = 100_000
ENGAGEMENT_TOP = 1_000  # interactions per post
REACH_TOP = 10_000  # reposts + quotes in the window
LISTED_TOP = 1_000
SITE_TOP = 10_000_000
AGE_TOP_YEARS = 10


@dataclass(frozen=True)
class AuthorActivity:
    """What influence needs to know of an author (and their last 90 days)."""

    followers: int = 0
    verified: bool = False
    listed: int = 0
    created_at: datetime | None = None
    posts_in_window: int = 0
    interactions_in_window: int = 0  # replies + reposts + quotes + likes
    reach_in_window: int = 0  # reposts + quotes
    site_audience: int = 0


def _log_scale(value: float, top: float) -> float:
    return min(1.0, math.log10(1 + max(value, 0)) / math.log10(1 + top))


def influence_components(a: AuthorActivity, at: datetime | None) -> dict[str, float]:
    age_years = 0.0
    if a.created_at is not None and at is not None:
        age_years = max(0.0, (at - a.created_at).total_seconds() / (365.25 * 86400))
    per_post = a.interactions_in_window / a.posts_in_window if a.posts_in_window else 0.0
    return {
        "audience": _log_scale(a.followers, AUDIENCE_TOP),
        "engagement": _log_scale(per_post, ENGAGEMENT_TOP),
        "reach": _log_scale(a.reach_in_window, REACH_TOP),
        "verified": 1.0 if a.verified else 0.0,
        "listed": _log_scale(a.listed, LISTED_TOP),
        "account_age": min(1.0, age_years / AGE_TOP_YEARS),
        "site": _log_scale(a.site_audience, SITE_TOP),
    }


def influence(a: AuthorActivity, weights: dict[str, float], at: datetime | None = None) -> tuple[int, dict[str, float]]:
    """(score 1..100, the weighted contribution of each component in points)."""
    parts = influence_components(a, at)
    total = sum(weights.values()) or 1.0
    points = {k: 99 * weights.get(k, 0.0) * v / total for k, v in parts.items()}
    score = 1 + round(sum(points.values()))
    return max(1, min(100, score)), {k: round(v, 1) for k, v in points.items()}


class InfluenceScorer:
    """`influence(a, weights, at)` for many items: an author's components other than
    account age are worked out once (an author posts many items in a batch); only
    the age, which depends on the item's time, is added per item, in the same order
    as `influence` adds them, so the score and points are identical."""

    MEMO_LIMIT = 200_000

    def __init__(self, weights: dict[str, float]):
        self.weights = dict(weights)
        self.total = sum(self.weights.values()) or 1.0
        self._age_weight = self.weights.get("account_age", 0.0)
        # The age term of an item without an age (no account or item time), as `score` adds it.
        self._no_age = self._age_points(0.0)
        self._memo: dict[tuple, tuple[float, float, dict[str, float], int]] = {}

    def _age_points(self, age_years: float) -> float:
        return 99 * self._age_weight * min(1.0, age_years / AGE_TOP_YEARS) / self.total

    def _fixed(self, a: AuthorActivity, site_audience: int | None
               ) -> tuple[float, float, dict[str, float], int]:
        """(points before the age, site points, rounded points, the score without an age)."""
        if site_audience is not None:
            a = replace(a, site_audience=site_audience)
        parts = influence_components(a, None)  # account_age 0.0 here, added per item
        w, total = self.weights, self.total
        points = {k: 99 * w.get(k, 0.0) * v / total for k, v in parts.items()}
        before = 0
        for k in ("audience", "engagement", "reach", "verified", "listed"):
            before += points[k]
        # Points' account_age is `_no_age` here (same expression on age 0.0), so the rounded
        # points are already those of an item without an age.
        ageless = max(1, min(100, 1 + round(before + self._no_age + points["site"])))
        return before, points["site"], {k: round(v, 1) for k, v in points.items()}, ageless

    def score(self, a: AuthorActivity, at: datetime | None = None,
              site_audience: int | None = None) -> tuple[int, dict[str, float]]:
        """`site_audience` given: scored as `replace(a, site_audience=...)` (without a copy per item)."""
        # The memo key: every field but created_at (the fixed part does not depend on it),
        # spelled out: cheaper than attrgetter, and the AuthorActivity's own hash is Python code.
        key = (a.followers, a.verified, a.listed, a.posts_in_window, a.interactions_in_window,
               a.reach_in_window, a.site_audience, site_audience)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self._fixed(a, site_audience)
        before, site, rounded, ageless = found
        if a.created_at is None or at is None:
            return ageless, dict(rounded)
        age_years = max(0.0, (at - a.created_at).total_seconds() / (365.25 * 86400))
        age = self._age_points(age_years)
        score = 1 + round(before + age + site)
        points = dict(rounded)
        points["account_age"] = round(age, 1)
        return max(1, min(100, score)), points
