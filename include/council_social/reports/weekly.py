"""The weekly report: a page with charts for managers, also emailed.

`weekly_context` gathers a Monday-to-Sunday week from metrics_daily, alerts
and (when the cases package is there) response times; the page, the plugin's
Reports view and the email all render that one context.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from council_social.reports.charts import CHARTS, TITLES, follower_growth, render_chart
from council_social.reports.metrics import day_bounds
from council_social.reports.repo import alerts_between, metrics_between, table_exists

COUNTS = ("posts", "engagement", "mentions", "mentions_positive", "mentions_neutral",
          "mentions_negative", "replies", "replies_within_target", "cases_opened", "cases_closed",
          "cases_overdue", "foi_due", "foi_on_time")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_rows(conn, week_start: date) -> list[dict]:
    return metrics_between(conn, week_start, week_start + timedelta(days=6))


def _response_times(conn, config, start: datetime, end: datetime) -> list[dict] | None:
    try:
        from council_social.cases.reports import response_times
    except ImportError:  # the cases capability is not installed here
        return None
    if not table_exists(conn, "cases"):
        return None
    return response_times(conn, config, start, end, end)


def _reply_figures(conn, config, start: datetime, end: datetime) -> dict | None:
    try:
        from council_social.cases.reply_reports import reply_figures
    except ImportError:  # the cases capability is not installed here
        return None
    if not table_exists(conn, "case_replies"):
        return None
    return reply_figures(conn, config, start, end)


def _campaigns(conn, week_start: date) -> list[dict]:
    """The council's own hashtags (promotion), when that capability's table is there."""
    if not table_exists(conn, "promotion_campaign_weeks"):
        return []
    from council_social.promotion.report import campaign_rows

    return campaign_rows(conn, week_start)


def weekly_context(conn, config, week_start: date) -> dict:
    week_start = monday_of(week_start)
    week_end = week_start + timedelta(days=6)
    rows = week_rows(conn, week_start)
    start, _ = day_bounds(week_start, config.tz)
    _, end = day_bounds(week_end, config.tz)
    growth = follower_growth(metrics_between(conn, week_start - timedelta(days=1), week_end))
    accounts = []
    for account in config.accounts:
        mine = [r for r in rows if r["account_key"] == account.key]
        totals = {c: sum(r[c] for r in mine) for c in COUNTS}
        followers = [r["followers"] for r in sorted(mine, key=lambda r: r["day"]) if r["followers"] is not None]
        new = sum(n for _, n, _ in growth.get(account.key, []))
        days_measured = len(growth.get(account.key, []))
        baseline = account.baseline.daily_growth if account.baseline else None
        accounts.append({
            "key": account.key, "platform": account.platform, "name": account.display_name,
            "handle": account.handle, "days": len(mine), **totals,
            "followers": followers[-1] if followers else None,
            "new_followers": new if days_measured else None,
            "new_followers_per_day": round(new / days_measured, 1) if days_measured else None,
            "baseline_per_day": baseline,
            "within_target_share": (round(totals["replies_within_target"] / totals["replies"], 3)
                                    if totals["replies"] else None),
        })
    return {
        "council": config.council.name,
        "week_start": week_start,
        "week_end": week_end,
        "accounts": accounts,
        "totals": {c: sum(a[c] for a in accounts) for c in COUNTS},
        "alerts": alerts_between(conn, start, end),
        "response_times": _response_times(conn, config, start, end),
        "replies": _reply_figures(conn, config, start, end),
        "charts": [{"name": n, "title": TITLES[n]} for n in CHARTS],
        "rows": rows,
        "campaigns": _campaigns(conn, week_start),
    }


@lru_cache(maxsize=1)
def _jinja():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render_page(context: dict, chart_src) -> str:
    """The standalone page; `chart_src(name)` says where each chart's image is."""
    return _jinja().get_template("weekly.html").render(**context, chart_src=chart_src)


def chart_pngs(context: dict) -> dict[str, bytes]:
    pngs = {name: render_chart(name, context["rows"]) for name in CHARTS}
    if context.get("campaigns"):
        from council_social.promotion.report import CHART_NAME, campaign_chart

        pngs[CHART_NAME] = campaign_chart(context["campaigns"])
    return pngs


def folder_for(config, week_start: date) -> Path:
    return config.reports_output_path / f"weekly-{monday_of(week_start).isoformat()}"


def write_weekly(engine, config, week_start: date) -> dict:
    """Write <reports>/weekly-YYYY-MM-DD/index.html and its PNG charts; the same week rewrites them."""
    with engine.connect() as conn:
        context = weekly_context(conn, config, week_start)
    folder = folder_for(config, context["week_start"])
    folder.mkdir(parents=True, exist_ok=True)
    pngs = chart_pngs(context)
    for name, png in pngs.items():
        (folder / f"{name}.png").write_bytes(png)
    page = folder / "index.html"
    page.write_text(render_page(context, lambda name: f"{name}.png"), encoding="utf-8")
    return {"page": str(page), "charts": sorted(pngs), "context": context, "pngs": pngs}


def weekly_email(config, context: dict, pngs: dict[str, bytes], to: list[str], sender_address: str,
                 sent_at: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = (f"{config.council.short_name} social media: week of "
                      f"{context['week_start']:%d %b %Y}")
    msg["From"] = sender_address
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<weekly-{context['week_start'].isoformat()}@council-social>"
    msg.set_content(
        f"The weekly social media report for {context['week_start']:%d %b} to "
        f"{context['week_end']:%d %b %Y} is attached as HTML with its charts.\n"
    )
    msg.add_alternative(render_page(context, lambda name: f"cid:{name}"), subtype="html")
    html_part = msg.get_payload()[1]
    for name, png in pngs.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{name}>",
                              filename=f"{name}.png")
    return msg


def send_weekly(engine, config, week_start: date, sender, sent_at: datetime) -> dict:
    """Email the week's report (the page with its charts inline) to the report's recipients."""
    from council_social.reports.mail import from_address, recipients

    with engine.connect() as conn:
        context = weekly_context(conn, config, week_start)
    message = weekly_email(config, context, chart_pngs(context), recipients(config), from_address(config),
                           sent_at)
    sender.send_message(message)
    return {"message_id": message["Message-ID"], "to": message["To"]}
