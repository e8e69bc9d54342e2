"""`make demo` stage: the daily reports over the demo's days, the demo's own week as a report
page, and where to see it all (the plugin's views in Airflow, or `council-social views serve`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import text


def demo_days(ctx) -> list:
    """The council's local days the demo's window touches (its last instant included)."""
    tz = ctx.config.tz
    first = ctx.start.astimezone(tz).date()
    last = (ctx.end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def demo_week(start, end, tz):
    """The Monday of the demo's own week: the week holding the middle of its window, so a day's
    demo that ends just after a Monday midnight reports the week it mostly saw."""
    from council_social.reports.weekly import monday_of

    return monday_of((start + (end - start) / 2).astimezone(tz).date())


def run(ctx) -> list[str]:
    from council_social.reports.weekly import folder_for, weekly_context

    config = ctx.config
    tz = config.tz
    days = demo_days(ctx)
    first, last = days[0], days[-1]
    # A run's data interval ends at the interval_end given, so each day runs for the next midnight.
    for day in days:
        ctx.run_dag("reports", datetime.combine(day + timedelta(days=1), time(0), tz))
    # The demo's own week (the weekly DAG writes the week before the Monday its interval ends on).
    week = demo_week(ctx.start, ctx.end, tz)
    ctx.run_dag("reports_weekly", datetime.combine(week + timedelta(days=7), time(0), tz))
    with ctx.engine.connect() as conn:
        mentions, accounts = conn.execute(text(
            "SELECT coalesce(sum(mentions), 0), count(DISTINCT account_key) FROM social.metrics_daily"
            " WHERE day BETWEEN :a AND :b"), {"a": first, "b": last}).one()
        kinds = conn.execute(text(
            "SELECT kind, count(*) FROM social.alerts WHERE window_start >= :s AND window_start < :e"
            " GROUP BY kind ORDER BY kind"), {"s": datetime.combine(first, time(0), tz),
                                             "e": datetime.combine(last + timedelta(days=1), time(0), tz)}).all()
        totals = weekly_context(conn, config, week)["totals"]
    alerts = ", ".join(f"{n} {k}" for k, n in kinds) or "none"
    page = folder_for(config, week) / "index.html"
    return [
        f"reports        metrics_daily for {accounts} accounts over {len(days)} day(s), {mentions} mentions; "
        f"alerts: {alerts}",
        f"weekly report  week of {week:%d %b %Y}: {totals['mentions']} mentions, {totals['posts']} posts, "
        f"{totals['replies']} replies ({totals['replies_within_target']} within target), "
        f"{totals['cases_opened']} cases opened",
        f"weekly page    {page}",
        "operator views in the Airflow UI under 'Council Social Ops' (plugin at /council-social), "
        "or locally (dev only, no login): .venv/bin/council-social views serve --port 8090",
    ]
