"""Promotion's daily work, each step idempotent for its day: what the DAG and demo run.

The network call (followers) happens outside any transaction; the raw pages, the fetch
record, the follows and the watermark are written together afterwards.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from council_social.promotion import repo
from council_social.promotion.campaigns import TaggedPost, campaign_weeks, monday
from council_social.promotion.follow_back import Candidate, is_local, suggest
from council_social.promotion.trends import TrendPost, draft_text, local_trends
from council_social.store.ingest_repo import FetchKey, FetchPlan, current_watermark, record_fetch

log = logging.getLogger(__name__)

ALERT_KIND = "inconsistent_message"


def own_ids(config) -> set[str]:
    """The council's own accounts' platform ids: never suggested, never an entrant."""
    return {str(a.external_id) for a in config.accounts if a.external_id}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


# ------------------------------------------------------------------ follows
def fetch_follows(engine: Engine, connector, account, direction: str, *,
                  interval_start: datetime, interval_end: datetime, full: bool = False) -> dict:
    """Walk the account's followers (or following) from the watermark (the newest follower
    seen last time), or the whole list when `full` (then whoever is missing unfollowed)."""
    key = FetchKey(account.platform, account.key, direction, interval_end)
    with engine.connect() as conn:
        watermark = None if full else current_watermark(conn, key)
    result = connector.fetch_follows(account, direction, stop_at_id=watermark)
    with engine.begin() as conn:
        record_fetch(conn, key, interval_start=interval_start,
                     plan=FetchPlan(since_id=watermark, start_time=None), pages=result.pages,
                     newest_id=None, complete=result.complete,
                     stopped_reason=result.stopped_reason)
        seen = repo.upsert_follows(conn, account.key, direction, result.users, interval_end)
        gone = 0
        if result.complete:
            if full:
                gone = repo.forget_unseen(conn, account.key, direction, interval_end)
            if result.newest_id:
                repo.set_watermark(conn, key, result.newest_id)
    if not result.complete:
        log.warning("%s %s stopped early (%s); the watermark stays where it was",
                    account.key, direction, result.stopped_reason)
    return {"account": account.key, "direction": direction, "pages": len(result.pages),
            "users": seen, "unfollowed": gone, "complete": result.complete,
            "stopped_reason": result.stopped_reason}


# ---------------------------------------------------------------- follow-back
def build_suggestions(engine: Engine, config, day: date) -> dict[str, int]:
    """Each X account's follow-back list for `day` (engagement over the window before)."""
    settings = config.promotion
    _, end = day_bounds(day)
    since = end - timedelta(days=settings.engagement_days)
    counts = {}
    with engine.begin() as conn:
        own = own_ids(config)
        for account in config.accounts_for("twitter"):
            rows = repo.candidate_rows(conn, account, since, end)
            candidates = [Candidate(
                user_external_id=r.uid, handle=r.username or r.uid,
                influence=int(r.influence or 1), follows_us=bool(r.follows_us),
                engaged=int(r.engaged), flags=frozenset(f for f in (r.flags or []) if f),
                local=is_local(r.location, r.description, config.places,
                               config.council.short_name)) for r in rows]
            chosen = suggest(candidates, following=repo.follow_ids(conn, account.key, "following"),
                             dismissed=repo.decided_ids(conn, account.key), own_ids=own,
                             engagement_days=settings.engagement_days,
                             limit=settings.follow_back_limit)
            repo.save_suggestions(conn, day, account.key, chosen)
            counts[account.key] = len(chosen)
    return counts


def decide(engine: Engine, config, account_key: str, handle: str, action: str, officer: str,
           reason: str | None, at: datetime) -> int:
    """Record that an officer followed (on the platform) or dismissed a suggestion."""
    if account_key not in {a.key for a in config.accounts}:
        raise ValueError(f"unknown account {account_key!r}")
    if action == "dismissed" and not (reason or "").strip():
        raise ValueError("a dismissal needs --reason")
    wanted = handle.lstrip("@").casefold()
    with engine.begin() as conn:
        match = next((r for r in repo.latest_suggestions(conn, account_key)
                      if r.handle.casefold() == wanted or r.user_external_id == handle), None)
        if match is None:
            raise ValueError(f"@{handle.lstrip('@')} is not on {account_key}'s follow-back list")
        return repo.record_decision(conn, account_key, match.user_external_id, match.handle,
                                    action, officer, reason, at)


# ------------------------------------------------------------------- trends
def build_trends(engine: Engine, config, day: date, at: datetime | None = None) -> dict:
    """The day's local trends; a trend matching a council topic gets a draft post in the
    forward planner as `submitted` (an approver decides; nothing goes out from here)."""
    settings = config.promotion
    start, end = day_bounds(day)
    at = at or end
    topics = {t.key: t for t in config.topics}
    with engine.begin() as conn:
        own = own_ids(config)
        rows = repo.posts_with_places(conn, start - timedelta(days=settings.trend_baseline_days),
                                      end)
        posts = [TrendPost(r.created_at.astimezone(config.tz).date(), r.platform, r.external_id,
                           r.text, r.location or "", r.url)
                 for r in rows if r.author_external_id not in own]
        trends = local_trends(posts, day, places=config.places, topics=config.topics,
                              accounts=config.accounts, baseline_days=settings.trend_baseline_days,
                              min_count=settings.trend_min_count, growth=settings.trend_growth)
        drafts: dict = {}
        for t in trends:
            if t.topic is None or t.suggested_account is None:
                continue
            topic = topics[t.topic]
            entry_key = f"trend-{day:%Y%m%d}-{t.hashtag}"[:64]
            repo.submit_draft(conn, {
                "key": entry_key, "title": f"Join #{t.hashtag} ({t.area})",
                "message": draft_text(t, topic, topic.link), "channels": [t.suggested_account],
                "earliest": day, "latest": day + timedelta(days=2), "owner": topic.service,
                "priority": "normal", "campaign": f"trend #{t.hashtag}", "essential": False,
                "press_release_url": None, "media": []}, at)
            drafts[(t.area, t.hashtag)] = entry_key
        repo.save_trends(conn, day, trends, drafts)
    return {"trends": len(trends), "drafts": len(drafts)}


# ---------------------------------------------------------------- campaigns
def build_campaign_weeks(engine: Engine, config, day: date, weeks: int = 8) -> int:
    """Recount the campaign hashtags' weeks up to the one holding `day`."""
    campaigns = config.promotion.campaigns
    first = monday(day) - timedelta(weeks=weeks - 1)
    start, _ = day_bounds(first)
    _, end = day_bounds(day)
    with engine.begin() as conn:
        own = own_ids(config)
        rows = repo.posts_with_places(conn, start, end)
        posts = [TaggedPost(r.created_at.astimezone(config.tz).date(), r.author_external_id or "",
                            r.text, r.author_external_id in own, *_reach(r.metrics))
                 for r in rows]
        found = campaign_weeks(posts, campaigns)
        repo.save_campaign_weeks(conn, found, first, monday(day))
    return len(found)


def _reach(metrics: dict | None) -> tuple[int, int]:
    m = metrics or {}
    reach = int(m.get("repost_count", 0) or 0) + int(m.get("quote_count", 0) or 0)
    return reach, reach + int(m.get("reply_count", 0) or 0) + int(m.get("like_count", 0) or 0)
