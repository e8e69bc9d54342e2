"""The council's own hashtags: posts, reach, engagement and adoption by residents per week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from council_social.reports.hashtags import hashtags


@dataclass(frozen=True)
class TaggedPost:
    created: date
    author_external_id: str
    text: str
    council: bool  # posted by one of the council's accounts
    reach: int = 0  # reposts + quotes
    engagement: int = 0  # replies + reposts + quotes + likes


@dataclass(frozen=True)
class CampaignWeek:
    week_start: date
    tag: str
    campaign: str
    posts: int
    council_posts: int
    reach: int
    engagement: int
    resident_authors: int  # distinct non-council authors: adoption by residents


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def campaign_weeks(posts: list[TaggedPost], campaigns) -> list[CampaignWeek]:
    """One row per campaign tag and week (Monday) in which it was used within its dates."""
    rows: dict[tuple[date, str], dict] = {}
    for c in campaigns:
        tag = c.tag.casefold()
        for p in posts:
            if not (c.starts <= p.created <= c.ends) or tag not in hashtags(p.text):
                continue
            row = rows.setdefault((monday(p.created), c.tag), {
                "campaign": c.campaign, "posts": 0, "council_posts": 0, "reach": 0,
                "engagement": 0, "authors": set()})
            row["posts"] += 1
            row["reach"] += p.reach
            row["engagement"] += p.engagement
            if p.council:
                row["council_posts"] += 1
            else:
                row["authors"].add(p.author_external_id)
    return [CampaignWeek(week, tag, r["campaign"], r["posts"], r["council_posts"], r["reach"],
                         r["engagement"], len(r["authors"]))
            for (week, tag), r in sorted(rows.items())]
