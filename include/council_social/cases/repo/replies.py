"""Replies from the case (`case_replies`) and the weekly report's figures on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects.postgresql import insert

from council_social.cases.reply_tables import UNFINISHED, case_replies


def case_for_reply(conn: Connection, case_id: int):
    """The case with its post's account, url, kind and parent and its author's names."""
    return conn.execute(text("""
        SELECT c.id, c.kind, c.team, c.status, c.outcome, c.details, c.platform, c.external_id,
               c.opened_at, c.responded_at, i.account_key, i.url, a.username, a.display_name,
               i.kind AS item_kind, i.in_reply_to_external_id AS item_in_reply_to
        FROM social.cases c
        LEFT JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        LEFT JOIN social.authors a ON a.platform = i.platform
             AND a.external_id = i.author_external_id
        WHERE c.id = :id
    """), {"id": case_id}).mappings().first()


def reply_with_key(conn: Connection, key: str):
    return conn.execute(select(case_replies).where(case_replies.c.idempotency_key == key)
                        ).mappings().first()


def add_reply(conn: Connection, values: dict) -> int:
    """The new reply's id (IntegrityError: the case has an unfinished reply)."""
    return conn.execute(insert(case_replies).values(**values)
                        .returning(case_replies.c.id)).one().id


def unfinished_reply(conn: Connection, case_id: int):
    return conn.execute(select(case_replies).where(
        case_replies.c.case_id == case_id, case_replies.c.status.in_(UNFINISHED))
    ).mappings().first()


def reply_for_update(conn: Connection, reply_id: int):
    """The reply's row, locked for the caller's transaction (a mapping), or None."""
    return conn.execute(select(case_replies).where(case_replies.c.id == reply_id)
                        .with_for_update()).mappings().first()


def approve(conn: Connection, reply_id: int, approver: str, at: datetime) -> None:
    """Queue a reply that waits for approval."""
    conn.execute(update(case_replies).where(case_replies.c.id == reply_id,
                                            case_replies.c.status == "awaiting_approval")
                 .values(status="queued", approved_by=approver, approved_at=at, updated_at=at))


def replies_of(conn: Connection, case_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        select(case_replies).where(case_replies.c.case_id == case_id)
        .order_by(case_replies.c.created_at, case_replies.c.id)).mappings()]


# --- the weekly report -------------------------------------------------------------------


def first_responses(conn: Connection, start: datetime, end: datetime):
    """Of the cases received in [start, end): first responses in the thread, elsewhere, none."""
    return conn.execute(text("""
        SELECT count(*) FILTER (WHERE response_channel = 'thread') AS platform,
               count(*) FILTER (WHERE response_channel IS NOT NULL
                                  AND response_channel <> 'thread') AS elsewhere,
               count(*) FILTER (WHERE responded_at IS NULL) AS not_yet
        FROM social.cases WHERE opened_at >= :start AND opened_at < :end
    """), {"start": start, "end": end}).mappings().one()


def sent_kinds(conn: Connection, start: datetime, end: datetime):
    """Holding and substantive replies sent in [start, end)."""
    return conn.execute(text("""
        SELECT count(*) FILTER (WHERE holding) AS holding,
               count(*) FILTER (WHERE NOT holding) AS substantive
        FROM social.case_replies WHERE status = 'sent' AND sent_at >= :start AND sent_at < :end
    """), {"start": start, "end": end}).mappings().one()


def team_response_times(conn: Connection, start: datetime, end: datetime) -> list:
    """Per team, of the cases received in [start, end): cases, responded, p50 and p90 hours."""
    return conn.execute(text("""
        SELECT team, count(*) AS cases, count(responded_at) AS responded,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM responded_at - opened_at) / 3600) AS p50_hours,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY extract(epoch FROM responded_at - opened_at) / 3600) AS p90_hours
        FROM social.cases WHERE opened_at >= :start AND opened_at < :end
        GROUP BY team ORDER BY team
    """), {"start": start, "end": end}).mappings().all()


def sent_replies(conn: Connection, start: datetime, end: datetime) -> list:
    """Saved reply key, link and the case's team of each reply sent in [start, end)."""
    return conn.execute(text("""
        SELECT r.saved_key, r.link, c.team
        FROM social.case_replies r JOIN social.cases c ON c.id = r.case_id
        WHERE r.status = 'sent' AND r.sent_at >= :start AND r.sent_at < :end
    """), {"start": start, "end": end}).mappings().all()


def set_reply(conn: Connection, reply_id: int, now: datetime, **values) -> None:
    conn.execute(update(case_replies).where(case_replies.c.id == reply_id)
                 .values(updated_at=now, **values))


def claim_reply(conn: Connection, reply_id: int, from_status: str, now: datetime) -> bool:
    """queued/sending -> sending with tries + 1, unless another run took it first."""
    return conn.execute(
        update(case_replies)
        .where(case_replies.c.id == reply_id, case_replies.c.status == from_status)
        .values(status="sending", tries=case_replies.c.tries + 1, updated_at=now)
        .returning(case_replies.c.id)).first() is not None


def set_sent(conn: Connection, reply_id: int, external_id: str, now: datetime,
             detail: str | None) -> bool:
    """sending -> sent with the platform's id; False if it was not `sending`."""
    return conn.execute(
        update(case_replies)
        .where(case_replies.c.id == reply_id, case_replies.c.status == "sending")
        .values(status="sent", external_id=external_id, sent_at=now, updated_at=now,
                detail=detail)
        .returning(case_replies.c.id)).first() is not None


def replies_to_send(conn: Connection) -> list:
    """Queued replies and those left `sending`, oldest first."""
    return conn.execute(select(case_replies).where(
        case_replies.c.status.in_(("queued", "sending"))).order_by(case_replies.c.id)).all()


def announce_queued(conn: Connection, now: datetime) -> list[int]:
    """Mark queued replies not yet announced as announced; their ids."""
    return list(conn.execute(text("""
        UPDATE social.case_replies SET announced_at = :now
        WHERE id IN (SELECT id FROM social.case_replies
                     WHERE status = 'queued' AND announced_at IS NULL
                     ORDER BY id FOR UPDATE SKIP LOCKED)
        RETURNING id
    """), {"now": now}).scalars())
