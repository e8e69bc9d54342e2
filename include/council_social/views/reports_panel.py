"""Reports: the weekly page's context, recent daily metrics and alerts, charts on demand."""

from __future__ import annotations

from datetime import date, timedelta

from council_social.reports.metrics import day_bounds
from council_social.reports.repo import alerts_between, metrics_between, newest_metrics_day
from council_social.reports.weekly import monday_of, weekly_context


def latest_week_with_data(conn, today: date) -> date | None:
    """The Monday of the newest week (up to today) that has daily metrics."""
    day = newest_metrics_day(conn, today)
    return monday_of(day) if day else None


def reports_view(conn, config, today: date, week: date | None = None) -> dict:
    # By default the newest week with figures, else the last complete week.
    if week:
        week_start = monday_of(week)
    else:
        week_start = latest_week_with_data(conn, today) or monday_of(today) - timedelta(days=7)
    context = weekly_context(conn, config, week_start)
    start, _ = day_bounds(today - timedelta(days=13), config.tz)
    _, end = day_bounds(today, config.tz)
    context["recent_alerts"] = alerts_between(conn, start, end)
    context["previous_week"] = week_start - timedelta(days=7)
    context["next_week"] = week_start + timedelta(days=7) if week_start + timedelta(days=7) <= today else None
    return context


def metrics_json(conn, first: date, last: date) -> list[dict]:
    return metrics_between(conn, first, last)
