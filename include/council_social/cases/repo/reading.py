"""What the case page, the FoI register, the FoI acknowledgement and the response-time
report read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, text

from council_social.cases.tables import case_events


def case_item(conn: Connection, platform: str, external_id: str) -> dict | None:
    """The case's post, or None where the item is not stored."""
    item = conn.execute(text("""
        SELECT platform, external_id, account_key, kind, author_external_id, text, created_at,
               conversation_id, in_reply_to_external_id, url, deleted
        FROM social.items WHERE platform = :p AND external_id = :e
    """), {"p": platform, "e": external_id}).mappings().first()
    return dict(item) if item else None


def events_of(conn: Connection, case_id: int) -> list[dict]:
    """The case's event log, oldest first."""
    return [dict(e) for e in conn.execute(
        select(case_events).where(case_events.c.case_id == case_id)
        .order_by(case_events.c.at, case_events.c.id)).mappings()]


def author(conn: Connection, platform: str, author_id: str):
    """The author's row with its latest influence score (a mapping), or None."""
    return conn.execute(text("""
        SELECT a.external_id, a.username, a.display_name, a.followers_count, a.verified,
               a.location,
               (SELECT score FROM social.author_influence ai
                 WHERE ai.platform = a.platform AND ai.external_id = a.external_id
                 ORDER BY day DESC LIMIT 1) AS influence
        FROM social.authors a WHERE a.platform = :p AND a.external_id = :a
    """), {"p": platform, "a": author_id}).mappings().first()


def other_open_cases(conn: Connection, platform: str, author_id: str, case_id: int) -> list:
    """Id, kind, status, due_at and team of the author's other cases not closed."""
    return conn.execute(text("""
        SELECT c.id, c.kind, c.status, c.due_at, c.team FROM social.cases c
        JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE c.platform = :p AND i.author_external_id = :a AND c.id <> :id
          AND c.status <> 'closed'
        ORDER BY c.due_at, c.id
    """), {"p": platform, "a": author_id, "id": case_id}).mappings().all()


def conversation(conn: Connection, platform: str, conversation_id: str, limit: int) -> list:
    """The newest `limit` posts of the conversation (its first post included), oldest first,
    with their authors' names."""
    return conn.execute(text("""
        SELECT * FROM (
            SELECT i.external_id, i.author_external_id, i.text, i.created_at, i.url, i.deleted,
                   i.in_reply_to_external_id, a.username, a.display_name
            FROM social.items i
            LEFT JOIN social.authors a ON a.platform = i.platform
                 AND a.external_id = i.author_external_id
            WHERE i.platform = :p AND (i.conversation_id = :c OR i.external_id = :c)
            ORDER BY i.created_at DESC, i.external_id DESC LIMIT :limit
        ) newest ORDER BY created_at, external_id
    """), {"p": platform, "c": conversation_id, "limit": limit}).mappings().all()


def decision(conn: Connection, platform: str, external_id: str, rules_version: str) -> dict | None:
    """The item's triage decision under `rules_version`, else its latest one."""
    row = conn.execute(text("""
        SELECT rules_version, outcome, flags, intent, topic, department, criticality, critical,
               influence, foi_valid, draft_reply, rule_path, inputs->>'explanation' AS explanation
        FROM social.triage_decisions
        WHERE platform = :p AND external_id = :e
        ORDER BY rules_version = :v DESC, rules_version DESC LIMIT 1
    """), {"p": platform, "e": external_id, "v": rules_version}).mappings().first()
    return dict(row) if row else None


def foi_register(conn: Connection, include_closed: bool) -> list:
    """FoI cases (closed ones if `include_closed`) by receipt, with the request's text, url and
    requester, when it was first acknowledged and the reminders' once-keys in order."""
    return conn.execute(text("""
        SELECT c.*, i.text AS request_text, i.url AS item_url,
               a.username AS requester_handle, a.display_name AS requester_name,
               (SELECT min(e.at) FROM social.case_events e
                 WHERE e.case_id = c.id AND e.event = 'acknowledged') AS acknowledged_at,
               (SELECT array_agg(e.once_key ORDER BY e.at) FROM social.case_events e
                 WHERE e.case_id = c.id AND e.event = 'reminder') AS reminders
        FROM social.cases c
        LEFT JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        LEFT JOIN social.authors a ON a.platform = i.platform
             AND a.external_id = i.author_external_id
        WHERE c.kind = 'foi' AND (:closed OR c.status <> 'closed')
        ORDER BY c.opened_at, c.id
    """), {"closed": include_closed}).mappings().all()


def case_with_author(conn: Connection, case_id: int):
    """Kind, due_at, details and the author's username of one case (a mapping), or None."""
    return conn.execute(text("""
        SELECT c.kind, c.due_at, c.details, a.username
        FROM social.cases c
        LEFT JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        LEFT JOIN social.authors a ON a.platform = i.platform
             AND a.external_id = i.author_external_id
        WHERE c.id = :id
    """), {"id": case_id}).mappings().first()


def response_times(conn: Connection, timezone: str, start: datetime, end: datetime,
                   as_of: datetime) -> list:
    """Per (local Monday-based week received, kind) of the cases received in [start, end):
    cases, responded, p50 and p90 hours to respond, responded by the deadline, and decided
    (responded, or due by `as_of`)."""
    return conn.execute(text("""
        SELECT (date_trunc('week', c.opened_at AT TIME ZONE :tz))::date AS week,
               c.kind,
               count(*) AS cases,
               count(c.responded_at) AS responded,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM c.responded_at - c.opened_at) / 3600) AS p50_hours,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY extract(epoch FROM c.responded_at - c.opened_at) / 3600) AS p90_hours,
               count(*) FILTER (WHERE c.responded_at <= c.due_at) AS within_target,
               count(*) FILTER (WHERE c.responded_at IS NOT NULL OR c.due_at <= :as_of) AS decided
        FROM social.cases c
        WHERE c.opened_at >= :start AND c.opened_at < :end
        GROUP BY 1, 2
        ORDER BY 1, 2
    """), {"tz": timezone, "start": start, "end": end, "as_of": as_of}).mappings().all()
