"""Emerging issues: an hour's mentions of a topic against the same hour of past weeks.

Pure functions. The baseline is the median of the same local hour in each of
the previous N weeks (a past spike does not raise it); an hour is a spike
when its count is at least `min_count` and the Poisson probability of seeing
that many under the baseline is below `p_value`. The robust z-score
(median/MAD) rides along for people reading the alert.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
# An empty history still expects about one mention an hour: a brand-new topic needs a
# handful of mentions in one hour, not one, to count as a spike.
MIN_BASELINE = 1.0


@dataclass(frozen=True)
class Slot:
    """One local hour of the day being reported, and the same local hour in past weeks (UTC)."""

    start: datetime
    end: datetime
    past: tuple[datetime, ...]


@dataclass(frozen=True)
class Spike:
    topic: str
    start: datetime
    end: datetime
    observed: int
    expected: float
    p_value: float
    robust_z: float | None
    history: tuple[int, ...]


def day_slots(day: date, tz: ZoneInfo, weeks: int) -> list[Slot]:
    """The local day's hours (23 or 25 on clock-change days), each with its past-week twins."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    slots = []
    moment = start
    while moment < end:
        local = moment.astimezone(tz)
        past = tuple(
            datetime.combine(local.date() - timedelta(weeks=k), local.time(), tz).astimezone(UTC)
            for k in range(1, weeks + 1)
        )
        slots.append(Slot(moment, moment + timedelta(hours=1), past))
        moment += timedelta(hours=1)
    return slots


def poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    term = math.exp(-lam)
    below = term
    for i in range(1, k):
        term *= lam / i
        below += term
    return max(0.0, 1.0 - below)


def robust_z(value: float, history: list[int]) -> float | None:
    centre = median(history)
    mad = median(abs(h - centre) for h in history)
    if mad == 0:
        return None
    return (value - centre) / (1.4826 * mad)


def detect_spikes(series: Mapping[str, Mapping[datetime, int]], slots: list[Slot], *,
                  min_count: int, p_value: float) -> list[Spike]:
    """Spikes in hourly counts per topic; `series[topic][utc_hour_start] = count`."""
    spikes = []
    for topic in sorted(series):
        counts = series[topic]
        for slot in slots:
            observed = counts.get(slot.start, 0)
            if observed < min_count:
                continue
            history = [counts.get(t, 0) for t in slot.past]
            expected = max(median(history) if history else 0.0, MIN_BASELINE)
            p = poisson_tail(observed, expected)
            if p < p_value:
                spikes.append(Spike(topic, slot.start, slot.end, observed, float(expected), p,
                                    robust_z(observed, history) if history else None,
                                    tuple(history)))
    return spikes
