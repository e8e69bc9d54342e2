"""Promotion's SQL: followers, suggestions and decisions, trends, campaign weeks,
competitions, and the posts the consistency check reads. Nothing else queries these tables."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import Connection, and_, delete, func, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert

from council_social.grid.tables import planner_entries, post_attempts
from council_social.promotion.tables import (
    campaign_weeks,
    competitions,
    follow_decisions,
    follow_suggestions,
    follows,
    local_trends,
)
from council_social.reports.tables import alerts
from council_social.store.tables import authors, ingest_watermarks, items

# ------------------------------------------------------------------ follows


def upsert_follows(conn: Connection, account_key: str, direction: str, users, at: datetime) -> int:
    """Record that each user follows (or is followed by) the account as of `at`."""
    rows = {u.external_id: {"account_key": account_key, "direction": direction,
                            "user_external_id": u.external_id, "username": u.username,
                            "first_seen_at": at, "last_seen_at": at} for u in users}
    if rows:
        stmt = insert(follows).values(sorted(rows.values(), key=lambda r: r["user_external_id"]))
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["account_key", "direction", "user_external_id"],
            set_={"username": stmt.excluded.username, "last_seen_at": stmt.excluded.last_seen_at}))
    return len(rows)


def forget_unseen(conn: Connection, account_key: str, direction: str, before: datetime) -> int:
    """After a complete walk of the list: whoever it did not see has unfollowed."""
    return conn.execute(delete(follows).where(
        follows.c.account_key == account_key, follows.c.direction == direction,
        follows.c.last_seen_at < before)).rowcount


def follow_ids(conn: Connection, account_key: str, direction: str) -> set[str]:
    return set(conn.execute(select(follows.c.user_external_id).where(
        follows.c.account_key == account_key, follows.c.direction == direction)).scalars())


CANDIDATES = text("""
WITH engaged AS (
    SELECT author_external_id AS uid, count(*) AS engaged
    FROM social.items
    WHERE platform = :platform AND account_key = :account AND author_external_id IS NOT NULL
      AND created_at >= :since AND created_at < :until
    GROUP BY author_external_id
), fans AS (
    SELECT user_external_id AS uid FROM social.promotion_follows
    WHERE account_key = :account AND direction = 'followers'
), people AS (
    SELECT uid FROM fans UNION SELECT uid FROM engaged
)
SELECT p.uid, a.username, a.location, a.description, a.followers_count,
       coalesce(e.engaged, 0) AS engaged,
       p.uid IN (SELECT uid FROM fans) AS follows_us,
       (SELECT ai.score FROM social.author_influence ai
         WHERE ai.platform = :platform AND ai.external_id = p.uid
         ORDER BY ai.day DESC LIMIT 1) AS influence,
       (SELECT array_agg(DISTINCT f)
          FROM social.items i
          JOIN social.triage_decisions d
            ON d.platform = i.platform AND d.external_id = i.external_id,
          unnest(d.flags || d.intent) AS f
         WHERE i.platform = :platform AND i.author_external_id = p.uid) AS flags
FROM people p
LEFT JOIN social.authors a ON a.platform = :platform AND a.external_id = p.uid
LEFT JOIN engaged e ON e.uid = p.uid
ORDER BY p.uid
""")


def candidate_rows(conn: Connection, account, since: datetime, until: datetime):
    """Everyone who follows the account or posted to it since `since`: profile, posts to the
    account, newest influence score, and the triage flags and intents of their posts."""
    return conn.execute(CANDIDATES, {"platform": account.platform, "account": account.key,
                                     "since": since, "until": until}).all()


def username_of(conn: Connection, account_key: str, user_id: str) -> str | None:
    name = conn.execute(select(follows.c.username).where(
        follows.c.account_key == account_key, follows.c.user_external_id == user_id)).scalar()
    return name or conn.execute(select(authors.c.username).where(
        authors.c.external_id == user_id)).scalar()


def decided_ids(conn: Connection, account_key: str) -> set[str]:
    """Whom an officer dismissed or followed: never suggested again."""
    return set(conn.execute(select(follow_decisions.c.user_external_id).where(
        follow_decisions.c.account_key == account_key)).scalars())


def record_decision(conn: Connection, account_key: str, user_id: str, handle: str,
                    action: str, officer: str, reason: str | None, at: datetime) -> int:
    return conn.execute(insert(follow_decisions).values(
        account_key=account_key, user_external_id=user_id, handle=handle, action=action,
        officer=officer, reason=reason, decided_at=at).returning(follow_decisions.c.id)).scalar()


def save_suggestions(conn: Connection, day: date, account_key: str, suggestions) -> None:
    conn.execute(delete(follow_suggestions).where(
        follow_suggestions.c.day == day, follow_suggestions.c.account_key == account_key))
    if suggestions:
        conn.execute(insert(follow_suggestions).values([
            {"day": day, "account_key": account_key, "user_external_id": s.user_external_id,
             "handle": s.handle, "influence": s.influence, "reasons": list(s.reasons),
             "rank": i + 1} for i, s in enumerate(suggestions)]))


def latest_suggestions(conn: Connection, account_key: str | None = None) -> list:
    """The newest day's list per account, without anyone decided on since."""
    newest = select(func.max(follow_suggestions.c.day)).scalar_subquery()
    decided = select(follow_decisions.c.user_external_id).where(
        follow_decisions.c.account_key == follow_suggestions.c.account_key)
    q = (select(follow_suggestions).where(follow_suggestions.c.day == newest,
                                          follow_suggestions.c.user_external_id.not_in(decided))
         .order_by(follow_suggestions.c.account_key, follow_suggestions.c.rank))
    if account_key is not None:
        q = q.where(follow_suggestions.c.account_key == account_key)
    return conn.execute(q).all()


# ------------------------------------------------------------------- trends


def posts_with_places(conn: Connection, platform_start: datetime, end: datetime):
    """Residents' posts (any platform) in the window with their author's location."""
    return conn.execute(
        select(items.c.platform, items.c.external_id, items.c.text, items.c.created_at,
               items.c.url, items.c.author_external_id, items.c.metrics, authors.c.location)
        .outerjoin(authors, and_(authors.c.platform == items.c.platform,
                                 authors.c.external_id == items.c.author_external_id))
        .where(items.c.created_at >= platform_start, items.c.created_at < end,
               items.c.text.contains("#"))
    ).all()


def save_trends(conn: Connection, day: date, trends, drafts: dict) -> None:
    conn.execute(delete(local_trends).where(local_trends.c.day == day))
    if trends:
        conn.execute(insert(local_trends).values([
            {"day": day, "area": t.area, "hashtag": t.hashtag, "count": t.count,
             "baseline_mean": t.baseline_mean, "rise": t.rise, "topic": t.topic,
             "suggested_account": t.suggested_account,
             "planner_entry": drafts.get((t.area, t.hashtag)), "posts": list(t.posts)}
            for t in trends]))


def latest_trends(conn: Connection) -> list:
    newest = select(func.max(local_trends.c.day)).scalar_subquery()
    return conn.execute(select(local_trends).where(local_trends.c.day == newest)
                        .order_by(local_trends.c.rise.desc(), local_trends.c.hashtag)).all()


def submit_draft(conn: Connection, entry: dict, at: datetime) -> bool:
    """A draft post for the forward planner as `submitted`; an existing entry is left alone
    (an officer may have edited it)."""
    return conn.execute(insert(planner_entries).values(
        **entry, status="submitted", source="promotion trends", imported_at=at,
        submitted_by="promotion").on_conflict_do_nothing(index_elements=["key"])
    ).rowcount == 1


# ---------------------------------------------------------------- campaigns


def save_campaign_weeks(conn: Connection, weeks, first: date, last: date) -> None:
    conn.execute(delete(campaign_weeks).where(campaign_weeks.c.week_start >= first,
                                              campaign_weeks.c.week_start <= last))
    if weeks:
        conn.execute(insert(campaign_weeks).values([w.__dict__ for w in weeks]))


def campaign_weeks_between(conn: Connection, first: date, last: date) -> list:
    return conn.execute(select(campaign_weeks).where(
        campaign_weeks.c.week_start >= first, campaign_weeks.c.week_start <= last)
        .order_by(campaign_weeks.c.tag, campaign_weeks.c.week_start)).all()


# ------------------------------------------------------------- competitions


def entry_posts(conn: Connection, platform: str, opens: datetime, closes: datetime,
                hashtag: str | None, post: str | None):
    """Posts in the window that use the hashtag, or reply to or quote the post."""
    cond = (items.c.text.ilike(f"%#{hashtag}%") if hashtag
            else and_(or_(items.c.in_reply_to_external_id == post,
                          items.c.conversation_id == post), items.c.external_id != post))
    return conn.execute(
        select(items.c.external_id, items.c.author_external_id, items.c.created_at,
               items.c.text, items.c.in_reply_to_external_id, authors.c.username)
        .outerjoin(authors, and_(authors.c.platform == items.c.platform,
                                 authors.c.external_id == items.c.author_external_id))
        .where(items.c.platform == platform, items.c.created_at >= opens,
               items.c.created_at <= closes, items.c.author_external_id.is_not(None), cond)
        .order_by(items.c.created_at, items.c.external_id)).all()


def last_own_post_before(conn: Connection, account, before: datetime) -> str | None:
    """The account's own last post up to the close: a value published before the draw."""
    if not account.external_id:
        return None
    return conn.execute(select(items.c.external_id).where(
        items.c.platform == account.platform, items.c.author_external_id == account.external_id,
        items.c.created_at <= before).order_by(items.c.created_at.desc()).limit(1)).scalar()


def competition(conn: Connection, key: str):
    return conn.execute(select(competitions).where(competitions.c.key == key)).first()


def open_competition(conn: Connection, key: str, account_key: str, spec: dict,
                     at: datetime) -> bool:
    stmt = insert(competitions).values(key=key, account_key=account_key, spec=spec,
                                       status="open", opened_at=at)
    return conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"])).rowcount == 1


def record_draw(conn: Connection, key: str, account_key: str, spec: dict, entries, eligible,
                published_value: str, seed: str, winner: dict, archive: dict,
                at: datetime) -> None:
    row = {"account_key": account_key, "spec": spec, "status": "drawn", "entries": entries,
           "eligible": eligible, "published_value": published_value, "seed": seed,
           "winner": winner, "archive": archive, "drawn_at": at}
    stmt = insert(competitions).values(key=key, opened_at=at, **row)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=row))


def all_competitions(conn: Connection) -> list:
    return conn.execute(select(competitions).order_by(competitions.c.opened_at.desc())).all()


# ------------------------------------------------------------ consistency


def planned_entries(conn: Connection, first: date, last: date) -> list:
    """Entries still to go out (in the grid) in the window, with their campaign."""
    return conn.execute(select(planner_entries).where(
        planner_entries.c.latest >= first, planner_entries.c.earliest <= last,
        planner_entries.c.status.in_(("submitted", "approved", "scheduled")))
        .order_by(planner_entries.c.key)).all()


def posted_for_entries(conn: Connection, since: datetime) -> list:
    """What went out through the APIs, per planner entry and account."""
    return conn.execute(select(
        post_attempts.c.entry_key, post_attempts.c.account_key, post_attempts.c.platform,
        post_attempts.c.external_id, post_attempts.c.text)
        .where(post_attempts.c.status == "posted", post_attempts.c.last_tried_at >= since)
        .order_by(post_attempts.c.entry_key, post_attempts.c.account_key)).all()


def own_posts(conn: Connection, own: dict[tuple[str, str], str], since: datetime,
              until: datetime) -> list:
    """The council's own posts on every platform (including those posted by hand);
    `own` maps (platform, author id) to the account key."""
    if not own:
        return []
    rows = conn.execute(
        select(items.c.platform, items.c.external_id, items.c.text, items.c.created_at,
               items.c.author_external_id)
        .where(items.c.created_at >= since, items.c.created_at < until,
               items.c.kind == "post",
               tuple_(items.c.platform, items.c.author_external_id).in_(sorted(own)))
        .order_by(items.c.created_at)).all()
    return [SimpleNamespace(platform=r.platform, external_id=r.external_id, text=r.text,
                            created_at=r.created_at,
                            account_key=own[(r.platform, r.author_external_id)]) for r in rows]


def raise_alert(conn: Connection, *, kind: str, subject: str, window_start: datetime,
                window_end: datetime, team: str, observed: float, message: str, detail: dict,
                at: datetime) -> None:
    """One alert per subject and window; a rerun updates it, and does not notify twice."""
    row = {"window_end": window_end, "team": team, "observed": observed, "message": message,
           "detail": detail, "raised_for": at}
    stmt = insert(alerts).values(kind=kind, subject=subject, window_start=window_start, **row)
    conn.execute(stmt.on_conflict_do_update(index_elements=["kind", "subject", "window_start"],
                                            set_=row))


def alerts_of_kind(conn: Connection, kind: str, since: datetime) -> list:
    return conn.execute(select(alerts).where(alerts.c.kind == kind,
                                             alerts.c.window_start >= since)
                        .order_by(alerts.c.window_start.desc(), alerts.c.subject)).all()


def set_watermark(conn: Connection, key, newest_id: str) -> None:
    """Follower lists page newest follower first, and user ids are not in follow order, so
    the watermark is simply the newest follower seen (not the greater id)."""
    conn.execute(insert(ingest_watermarks).values(
        platform=key.platform, account_key=key.account_key, endpoint=key.endpoint,
        since_id=newest_id, interval_end=key.interval_end).on_conflict_do_update(
        index_elements=["platform", "account_key", "endpoint"],
        set_={"since_id": newest_id, "interval_end": key.interval_end}))


def entries_by_keys(conn: Connection, keys) -> list:
    if not keys:
        return []
    return conn.execute(select(planner_entries).where(planner_entries.c.key.in_(sorted(keys)))
                        ).all()
