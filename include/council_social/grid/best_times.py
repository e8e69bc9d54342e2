"""Best posting times per account, learned from the account's own past posts.

Engagement (likes + reposts + replies + quotes) is averaged by hour of the
week in the council's local time, smoothed over neighbouring hours, and shrunk
towards a prior built from the configured default hours, so a single lucky
post cannot claim an hour. With too little history the defaults alone decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

HOURS_OF_WEEK = 168
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KERNEL = ((-1, 0.5), (0, 1.0), (1, 0.5))  # neighbouring hours share evidence
ENGAGEMENT_METRICS = ("like_count", "repost_count", "reply_count", "quote_count")


def hour_of_week(local: datetime) -> int:
    return local.weekday() * 24 + local.hour


def label(how: int) -> str:
    return f"{DAY_NAMES[how // 24]} {how % 24:02d}:00"


def engagement(metrics: dict) -> int:
    return sum(int(metrics.get(k) or 0) for k in ENGAGEMENT_METRICS)


def prior(settings) -> list[float]:
    """1.0 at a default best hour, 0.6 next to one, 0.3 in posting hours, else 0.05."""
    out = []
    for how in range(HOURS_OF_WEEK):
        day, hour = divmod(how, 24)
        best = settings.default_best_hours if day < 5 else settings.default_weekend_best_hours
        if hour in best:
            out.append(1.0)
        elif any(abs(hour - b) == 1 for b in best):
            out.append(0.6)
        elif settings.first_hour <= hour <= settings.last_hour:
            out.append(0.3)
        else:
            out.append(0.05)
    return out


@dataclass(frozen=True)
class BestTimes:
    account_key: str
    source: str  # "learned" | "defaults"
    posts: int
    min_posts: int
    scores: tuple[float, ...]
    counts: tuple[int, ...]
    means: tuple[float | None, ...]  # raw mean engagement per hour of week

    def score(self, local: datetime) -> float:
        return self.scores[hour_of_week(local)]

    def explain(self, local: datetime) -> str:
        how = hour_of_week(local)
        if self.source == "defaults":
            kind = "a default best hour" if self.scores[how] >= 1.0 else "a default posting hour"
            return (f"{label(how)} is {kind} from council.yaml ({self.posts} own posts of history, "
                    f"{self.min_posts} needed to learn)")
        n, mean = self.counts[how], self.means[how]
        evidence = (f"mean {mean:.0f} engagements over {n} past post{'s' if n != 1 else ''} "
                    "at this hour" if n and mean is not None
                    else "no posts at this hour yet; neighbouring hours and defaults")
        return f"{label(how)} scores {self.scores[how]:.2f} from {self.posts} own posts: {evidence}"

    def top(self, n: int = 5) -> list[tuple[str, float]]:
        order = sorted(range(HOURS_OF_WEEK), key=lambda h: (-self.scores[h], h))[:n]
        return [(label(h), round(self.scores[h], 3)) for h in order]

    def summary(self) -> str:
        tops = ", ".join(name for name, _ in self.top(3))
        if self.source == "defaults":
            return (f"defaults from council.yaml ({self.posts} own posts; {self.min_posts} "
                    f"needed): {tops}")
        return f"learned from {self.posts} own posts: best {tops}"

    def to_json(self) -> dict:
        return {"source": self.source, "posts": self.posts, "top": self.top(5),
                "summary": self.summary()}


def learn(account_key: str, history: Iterable[tuple[datetime, int]], settings,
          timezone: str) -> BestTimes:
    """`history`: (created_at, engagement) of the account's own posts."""
    tz = ZoneInfo(timezone)
    counts = [0] * HOURS_OF_WEEK
    sums = [0.0] * HOURS_OF_WEEK
    for created_at, value in history:
        how = hour_of_week(created_at.astimezone(tz))
        counts[how] += 1
        sums[how] += value
    total = sum(counts)
    means = tuple(sums[h] / counts[h] if counts[h] else None for h in range(HOURS_OF_WEEK))
    base_prior = prior(settings)
    if total < settings.min_history_posts:
        return BestTimes(account_key, "defaults", total, settings.min_history_posts,
                         tuple(base_prior), tuple(counts), means)
    sm_n = [sum(w * counts[(h + d) % HOURS_OF_WEEK] for d, w in KERNEL)
            for h in range(HOURS_OF_WEEK)]
    sm_sum = [sum(w * sums[(h + d) % HOURS_OF_WEEK] for d, w in KERNEL)
              for h in range(HOURS_OF_WEEK)]
    sm_mean = [sm_sum[h] / sm_n[h] if sm_n[h] else None for h in range(HOURS_OF_WEEK)]
    top = max((m for m in sm_mean if m is not None), default=0.0)
    rel = [(m / top if top > 0 else 0.0) if m is not None else None for m in sm_mean]
    known = [r for r in rel if r is not None]
    # Unexplored hours are worth the account's typical hour, shaped by the defaults.
    typical = sum(known) / len(known) if known else 0.0
    k = settings.smoothing_posts
    scores = []
    for h in range(HOURS_OF_WEEK):
        p = base_prior[h] * typical
        if rel[h] is None:
            scores.append(p)
        else:
            scores.append((sm_n[h] * rel[h] + k * p) / (sm_n[h] + k))
    # Never post in the small hours because one night-time post went viral.
    scores = [s if settings.first_hour <= h % 24 <= settings.last_hour else s * 0.1
              for h, s in enumerate(scores)]
    return BestTimes(account_key, "learned", total, settings.min_history_posts,
                     tuple(round(s, 6) for s in scores), tuple(counts), means)
