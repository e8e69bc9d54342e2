"""Importance: the topic's weight, reputational words, and how fast the thread grows."""

from __future__ import annotations

import re
from datetime import datetime


def reputational_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """The casefolded keywords as whole words, longest first (matched on casefolded text)."""
    if not keywords:
        return None
    folded = {k.casefold() for k in keywords}
    body = "|".join(re.escape(k) for k in sorted(folded, key=lambda k: (-len(k), k)))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def reputational_hits(pattern: re.Pattern[str] | None, text: str) -> int:
    """How many different reputational keywords the text holds."""
    if pattern is None:
        return 0
    return len(set(pattern.findall(text.casefold())))


def thread_growth(metrics: dict, created_at: datetime | None, observed_at: datetime | None) -> float:
    """Replies + reposts + quotes per hour between posting and when we saw it (at least 1 h)."""
    count = sum(int(metrics.get(k) or 0) for k in ("reply_count", "repost_count", "quote_count"))
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
