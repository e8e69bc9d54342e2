"""`make demo` stage: the daily reports over the demo's days, this week's report page, and where
to see it all (the plugin's views in Airflow, or `council-social views serve` locally)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import text


def run(ctx) -> list[str]:
    from council_social.reports.weekly import folder_for, monday_of

    config = ctx.config
    tz = config.tz
    first, last = ctx.start.astimezone(tz).date(), ctx.end.astimezone(tz).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for day in days:
        ctx.run_dag("reports", datetime.combine(day, time(0), tz))
    week = monday_of(last)
    ctx.run_dag("reports_weekly", datetime.combine(week, time(0), tz))
    with ctx.engine.connect() as conn:
        mentions, accounts = conn.execute(text(
            "SELECT coalesce(sum(mentions), 0), count(DISTINCT account_key) FROM social.metrics_daily"
            " WHERE day BETWEEN :a AND :b"), {"a": first, "b": last}).one()
        kinds = conn.execute(text(
            "SELECT kind, count(*) FROM social.alerts WHERE window_start >= :s AND window_start < :e"
            " GROUP BY kind ORDER BY kind"), {"s": datetime.combine(first, time(0), tz),
                                             "e": datetime.combine(last + timedelta(days=1), time(0), tz)}).all()
    alerts = ", ".join(f"{n} {k}" for k, n in kinds) or "none"
    page = folder_for(config, week) / "index.html"
    return [
        f"reports        metrics_daily for {accounts} accounts over {len(days)} day(s), {mentions} mentions; "
        f"alerts: {alerts}",
        f"weekly report  {page}",
        "operator views in the Airflow UI under 'Council Social Ops' (plugin at /council-social), "
        "or locally (dev only, no login): .venv/bin/council-social views serve --port 8090",
    ]
