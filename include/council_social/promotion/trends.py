"""Local trends to join: per area, hashtags rising against their own 28-day baseline.

An area is one of council.yaml's places; a post belongs to every area it names (in its
text or its author's location). A rising tag that matches a council topic (its hashtags
or keywords) becomes a suggestion for the topic's service account, or the main account.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from council_social.reports.hashtags import hashtags


@dataclass(frozen=True)
class TrendPost:
    day: date
    platform: str
    external_id: str
    text: str
    author_location: str = ""
    url: str | None = None


@dataclass(frozen=True)
class LocalTrend:
    area: str
    hashtag: str
    count: int
    baseline_mean: float
    rise: float
    topic: str | None = None
    suggested_account: str | None = None
    posts: tuple[dict, ...] = field(default_factory=tuple)


def areas_of(text: str, location: str, places: list[str]) -> list[str]:
    """The places a post names, longest name first so 'Wembley Park' is not also 'Wembley'."""
    hay = f" {text} {location} ".casefold()
    found: list[str] = []
    for place in sorted(places, key=len, reverse=True):
        p = place.casefold()
        if p in hay and not any(p in f.casefold() for f in found):
            found.append(place)
    return found


def match_topic(tag: str, topics) -> object | None:
    """The council topic a hashtag belongs to: one of its hashtags, or a keyword in the tag."""
    squashed = tag.casefold()
    for t in topics:
        if any(h.casefold() == squashed for h in getattr(t, "hashtags", []) or []):
            return t
    for t in topics:
        for word in t.keywords:
            w = "".join(ch for ch in word.casefold() if ch.isalnum())
            if len(w) >= 4 and w in squashed:
                return t
    return None


def account_for(topic, accounts) -> str | None:
    """The service's own account on X if it has one, else the main X account."""
    x = [a for a in accounts if a.platform == "twitter"]
    own = [a.key for a in x if topic is not None and a.team == topic.service]
    if own:
        return own[0]
    main = [a.key for a in x if a.main]
    return main[0] if main else (x[0].key if x else None)


def local_trends(posts: list[TrendPost], today: date, *, places: list[str], topics, accounts,
                 baseline_days: int = 28, min_count: int = 3, growth: float = 2.0
                 ) -> list[LocalTrend]:
    """Tags used `min_count` times today in an area, at `growth` times their daily mean over
    the `baseline_days` before today in that area."""
    today_counts: dict[str, Counter] = defaultdict(Counter)
    past_counts: dict[str, Counter] = defaultdict(Counter)
    carriers: dict[tuple[str, str], list[TrendPost]] = defaultdict(list)
    for p in posts:
        age = (today - p.day).days
        if age < 0 or age > baseline_days:
            continue
        tags = hashtags(p.text)
        if not tags:
            continue
        for area in areas_of(p.text, p.author_location, places):
            if age == 0:
                today_counts[area].update(tags)
                for tag in tags:
                    carriers[(area, tag)].append(p)
            else:
                past_counts[area].update(tags)
    out = []
    for area, counts in today_counts.items():
        for tag, count in counts.items():
            if count < min_count:
                continue
            mean = past_counts[area].get(tag, 0) / baseline_days
            rise = count / max(mean, 1.0 / baseline_days)
            if rise < growth:
                continue
            topic = match_topic(tag, topics)
            carried = tuple({"platform": p.platform, "external_id": p.external_id, "url": p.url}
                            for p in sorted(carriers[(area, tag)], key=lambda p: p.external_id))
            out.append(LocalTrend(area, tag, count, round(mean, 3), round(rise, 1),
                                  topic.key if topic else None,
                                  account_for(topic, accounts) if topic else None, carried))
    return sorted(out, key=lambda t: (-t.rise, -t.count, t.area, t.hashtag))


def draft_text(trend: LocalTrend, topic, link: str | None) -> str:
    """A first draft for the officer to edit in the planner; never posted as it stands."""
    name = topic.name if topic is not None else trend.hashtag
    more = f" More: {link}" if link else ""
    return f"Joining the conversation in {trend.area} on {name}. #{trend.hashtag}{more}"
