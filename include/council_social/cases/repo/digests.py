"""What the team digests read, and the digests sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert

from council_social.cases.tables import case_digests


def events_recorded(conn: Connection, start: datetime, end: datetime) -> list:
    """Case events recorded in (start, end], with their case's kind, team, due time and post;
    by team, time and id."""
    return conn.execute(text("""
        SELECT e.case_id, e.event, e.at, e.actor, e.detail, c.kind, c.team, c.due_at,
               i.text, i.url
        FROM social.case_events e
        JOIN social.cases c ON c.id = e.case_id
        LEFT JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE e.recorded_at > :start AND e.recorded_at <= :end
        ORDER BY c.team, e.at, e.id
    """), {"start": start, "end": end}).mappings().all()


def outstanding(conn: Connection, statuses, end: datetime) -> list:
    """Cases in `statuses` opened by `end`, with their post's text; by due time and id."""
    return conn.execute(text("""
        SELECT c.id, c.kind, c.team, c.status, c.due_at, i.text
        FROM social.cases c
        LEFT JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE c.status = ANY(:awaiting) AND c.opened_at <= :end
        ORDER BY c.due_at, c.id
    """), {"awaiting": list(statuses), "end": end}).mappings().all()


def add_digest(conn: Connection, values: dict) -> bool:
    """Record a digest; False if this team's digest for the interval is recorded already."""
    return conn.execute(
        insert(case_digests).values(**values).on_conflict_do_nothing()
        .returning(case_digests.c.team)).first() is not None
