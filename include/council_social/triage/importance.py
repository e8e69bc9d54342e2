"""Importance: the topic's weight, reputational words, and how fast the thread grows."""

from __future__ import annotations

import re
from datetime import datetime

from council_social.triage.gate import GatedAlternation


def reputational_pattern(keywords: list[str]) -> GatedAlternation | None:
    """Longest first; `.finditer(text, keys)` runs only the keywords the text could hold."""
    if not keywords:
        return None
    pieces = [re.escape(k) for k in sorted(set(keywords), key=lambda k: (-len(k), k))]
    return GatedAlternation(pieces, r"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE)


def thread_growth(metrics: dict, created_at: datetime | None, observed_at: datetime | None) -> float:
    """Replies + reposts + quotes per hour between posting and when we saw it (at least 1 h)."""
    count = 0  # no metrics (often): no lookups
    if metrics:
        get = metrics.get
        count = (int(get("reply_count") or 0) + int(get("repost_count") or 0)
                 + int(get("quote_count") or 0))
    hours = 1.0
    if created_at is not None and observed_at is not None:
        hours = max(1.0, (observed_at - created_at).total_seconds() / 3600)
    return count / hours


def importance(topic_weight: float, topic_reputational: bool, reputational_hits: int,
               growth_per_hour: float, growth_threshold: float) -> float:
    growth = min(1.0, growth_per_hour / growth_threshold) if growth_threshold > 0 else 0.0
    return round(
        0.5 * topic_weight + (0.1 if topic_reputational else 0.0)
        + 0.3 * min(reputational_hits, 2) + 0.3 * growth,
        4,
    )
