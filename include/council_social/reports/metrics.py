"""metrics_daily: one row per council account per local day.

Everything is recomputed from the store for the day asked (items, authors,
raw pages, triage decisions, cases), so a rerun replaces the day's rows with
the same figures. Follower counts come from the account's own profile as
returned in the day's last archived API page, not from today's profile.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from council_social.reports.tables import metrics_daily

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

    pages = conn.execute(text(
        "SELECT body FROM social.raw_pages WHERE account_key = :key AND status = 200"
        " AND fetched_at >= :start AND fetched_at < :end ORDER BY fetched_at DESC, id DESC LIMIT 50"
    ), {"key": account.key, "start": start, "end": end})
    for (body,) in pages:
        try:
            parsed = parse_page(account.platform, bytes(body), account.key)
        except Exception:  # a platform without a parser yet, or a page it cannot read
            continue
        author = parsed.authors.get(account.external_id)
        if author is not None and author.followers_count is not None:
            return author.followers_count
    return None


def _has_table(conn, name: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:n)"), {"n": f"social.{name}"}).scalar() is not None


def account_day(conn, config, account, day: date) -> dict:
    start, end = day_bounds(day, config.tz)
    window = {"key": account.key, "own": account.external_id or "", "start": start, "end": end,
              "platform": account.platform, "rules": config.triage.rules_version}
    own = conn.execute(text(
        "SELECT kind, metrics FROM social.items WHERE platform = :platform AND author_external_id = :own"
        " AND created_at >= :start AND created_at < :end"
    ), window).all()
    mentions = conn.execute(text(
        "SELECT text FROM social.items WHERE account_key = :key AND author_external_id IS DISTINCT FROM :own"
        " AND created_at >= :start AND created_at < :end"
    ), window).scalars().all()
    replies = conn.execute(text("""
        SELECT extract(epoch FROM r.created_at - m.created_at) / 60 AS minutes, d.outcome
        FROM social.items r
        JOIN social.items m ON m.platform = r.platform AND m.external_id = r.in_reply_to_external_id
        LEFT JOIN social.triage_decisions d ON d.platform = m.platform
             AND d.external_id = m.external_id AND d.rules_version = :rules
        WHERE r.platform = :platform AND r.author_external_id = :own AND r.kind = 'reply'
          AND m.author_external_id IS DISTINCT FROM :own
          AND r.created_at >= :start AND r.created_at < :end
    """), window).all()
    moods = {"positive": 0, "neutral": 0, "negative": 0}
    for mention in mentions:
        moods[sentiment(mention)] += 1
    minutes = [float(m) for m, _ in replies]
    cases = {"opened": 0, "closed": 0, "overdue": 0, "foi_due": 0, "foi_on_time": 0}
    if _has_table(conn, "cases"):
        cases = dict(conn.execute(text("""
            SELECT count(*) FILTER (WHERE c.opened_at >= :start AND c.opened_at < :end) AS opened,
                   count(*) FILTER (WHERE c.closed_at >= :start AND c.closed_at < :end) AS closed,
                   count(*) FILTER (WHERE c.due_at >= :start AND c.due_at < :end
                                      AND (c.responded_at IS NULL OR c.responded_at > c.due_at)) AS overdue,
                   count(*) FILTER (WHERE c.kind = 'foi' AND c.due_at >= :start AND c.due_at < :end)
                       AS foi_due,
                   count(*) FILTER (WHERE c.kind = 'foi' AND c.due_at >= :start AND c.due_at < :end
                                      AND c.responded_at <= c.due_at) AS foi_on_time
            FROM social.cases c
            JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
            WHERE i.account_key = :key
        """), window).mappings().one())
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
        stmt = insert(metrics_daily).values(rows)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["day", "account_key"],
            set_={c.name: stmt.excluded[c.name] for c in metrics_daily.columns
                  if c.name not in ("day", "account_key")},
        ))
    return rows


def metrics_between(conn, first: date, last: date) -> list[dict]:
    rows = conn.execute(metrics_daily.select().where(metrics_daily.c.day.between(first, last))
                        .order_by(metrics_daily.c.day, metrics_daily.c.account_key)).mappings()
    return [dict(r) for r in rows]
