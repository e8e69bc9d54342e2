"""Trending hashtags in what residents post: a day's use against the past week's daily mean."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A '#' not glued to a word or an HTML entity (&#39;), then a tag that is not all digits.
_HASHTAG = re.compile(r"(?<![\w&])#(\w*[^\W\d]\w*)")


@dataclass(frozen=True)
class Trend:
    tag: str
    count: int
    past_daily_mean: float
    growth: float
    places: tuple[str, ...]


def hashtags(text: str | None) -> set[str]:
    """The distinct hashtags in a text, case-folded, without '#'."""
    return {m.casefold() for m in _HASHTAG.findall(text or "")}


def count_hashtags(texts) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(hashtags(text))
    return counts


def _squash(value: str) -> str:
    return re.sub(r"\W", "", value.casefold())


def trending(today: Counter, past_days: list[Counter], *, min_count: int, growth: float,
             places: list[str] = (), local_words: list[str] = ()) -> list[Trend]:
    """Tags used at least `min_count` times today and `growth` times their past daily mean.

    A tag naming one of the council's places (or the council itself) is marked local.
    """
    days = max(len(past_days), 1)
    squashed = [(p, _squash(p)) for p in places] + [(w, _squash(w)) for w in local_words]
    out = []
    for tag, count in today.items():
        if count < min_count:
            continue
        mean = sum(day.get(tag, 0) for day in past_days) / days
        ratio = count / max(mean, 1.0)
        if ratio < growth:
            continue
        matched = tuple(sorted({name for name, sq in squashed if sq and sq in tag}))
        out.append(Trend(tag, count, round(mean, 3), round(ratio, 2), matched))
    return sorted(out, key=lambda t: (-t.count, t.tag))
