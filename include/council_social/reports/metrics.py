"""metrics_daily: one row per council account per local day.

Everything is recomputed from the store for the day asked (items, authors,
raw pages, triage decisions, cases), so a rerun replaces the day's rows with
the same figures. Follower counts come from the account's own profile as
returned in the day's last archived API page, not from today's profile.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from statistics import median

from council_social.reports import repo

SENTIMENT_THRESHOLD = 0.05  # VADER's own convention for positive / negative
ENGAGEMENT_KEYS = ("like_count", "repost_count", "reply_count", "quote_count")
_analyser = None


def day_bounds(day: date, tz) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(0), tz), datetime.combine(day + timedelta(days=1), time(0), tz))


def sentiment(text_value: str | None) -> str:
    global _analyser
    if _analyser is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyser = SentimentIntensityAnalyzer()
    score = _analyser.polarity_scores(text_value or "")["compound"]
    if score >= SENTIMENT_THRESHOLD:
        return "positive"
    if score <= -SENTIMENT_THRESHOLD:
        return "negative"
    return "neutral"


def target_hours(config, outcome: str | None) -> float:
    """The reply target for a triage outcome; working days count as whole days (a lower bound)."""
    target = config.response_targets.get(outcome or "") or config.response_targets["customer_service"]
    return target.hours if target.hours is not None else target.working_days * 24.0


def followers_on(conn, account, start: datetime, end: datetime) -> int | None:
    """The account's follower count in the newest page fetched in [start, end) that carries it."""
    if not account.external_id:
        return None
    from council_social.channels.registry import parse_page

    for body in repo.profile_pages(conn, account.key, start, end):
        try:
            parsed = parse_page(account.platform, bytes(body), account.key)
        except Exception:  # a platform without a parser yet, or a page it cannot read
            continue
        author = parsed.authors.get(account.external_id)
        if author is not None and author.followers_count is not None:
            return author.followers_count
    return None


def account_day(conn, config, account, day: date) -> dict:
    start, end = day_bounds(day, config.tz)
    own_id = account.external_id or ""
    own = repo.own_posts(conn, account.platform, own_id, start, end)
    mentions = repo.mention_texts(conn, account.key, own_id, start, end)
    replies = repo.reply_minutes(conn, account.platform, own_id, config.triage.rules_version, start, end)
    moods = {"positive": 0, "neutral": 0, "negative": 0}
    for mention in mentions:
        moods[sentiment(mention)] += 1
    minutes = [float(m) for m, _ in replies]
    cases = {"opened": 0, "closed": 0, "overdue": 0, "foi_due": 0, "foi_on_time": 0}
    if repo.table_exists(conn, "cases"):
        cases = repo.case_figures(conn, account.key, start, end)
    return {
        "day": day,
        "account_key": account.key,
        "platform": account.platform,
        "followers": followers_on(conn, account, start, end),
        "baseline_daily_growth": account.baseline.daily_growth if account.baseline else None,
        "posts": sum(1 for kind, _ in own if kind != "reply"),
        "engagement": sum(int((m or {}).get(k, 0) or 0) for kind, m in own if kind != "reply"
                          for k in ENGAGEMENT_KEYS),
        "mentions": len(mentions),
        "mentions_positive": moods["positive"],
        "mentions_neutral": moods["neutral"],
        "mentions_negative": moods["negative"],
        "replies": len(replies),
        "replies_within_target": sum(1 for m, outcome in replies
                                     if float(m) <= target_hours(config, outcome) * 60),
        "median_response_minutes": round(median(minutes), 1) if minutes else None,
        "cases_opened": cases["opened"],
        "cases_closed": cases["closed"],
        "cases_overdue": cases["overdue"],
        "foi_due": cases["foi_due"],
        "foi_on_time": cases["foi_on_time"],
    }


def compute_metrics(engine, config, day: date, computed_for: datetime) -> list[dict]:
    """Recompute and upsert metrics_daily for every configured account on a local day."""
    with engine.begin() as conn:
        rows = [{**account_day(conn, config, account, day), "computed_for": computed_for}
                for account in config.accounts]
        repo.upsert_metrics(conn, rows)
    return rows
