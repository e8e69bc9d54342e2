"""Promotion: whom to follow back, local trends to join, campaign hashtags, competitions,
and messages that disagree."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from council_social.views.availability import need

MODULES = ("council_social.promotion.jobs", "council_social.promotion.repo")
TABLES = ("promotion_follow_suggestions", "promotion_trends", "promotion_campaign_weeks",
          "promotion_competitions")


def promotion_view(conn, config, today: date) -> dict:
    need(conn, MODULES, TABLES)
    from council_social.promotion import repo
    from council_social.promotion.campaigns import monday
    from council_social.promotion.jobs import ALERT_KIND

    suggestions = [dict(r._mapping) for r in repo.latest_suggestions(conn)]
    trends = [dict(r._mapping) for r in repo.latest_trends(conn)]
    week = monday(today)
    campaigns = [dict(r._mapping) for r in
                 repo.campaign_weeks_between(conn, week - timedelta(weeks=7), week)]
    competitions = [dict(r._mapping) for r in repo.all_competitions(conn)]
    since = datetime.combine(today - timedelta(days=14), time(), config.tz)
    alerts = [dict(r._mapping) for r in repo.alerts_of_kind(conn, ALERT_KIND, since)]
    return {"suggestions": suggestions, "trends": trends, "campaigns": campaigns,
            "week_start": week, "competitions": competitions, "alerts": alerts,
            "configured_campaigns": [c.model_dump() for c in config.promotion.campaigns]}


def decide(engine, config, account: str, handle: str, action: str, officer: str,
           reason: str | None, at: datetime) -> int:
    from council_social.promotion.jobs import decide as record

    return record(engine, config, account, handle, action, officer, reason, at)
