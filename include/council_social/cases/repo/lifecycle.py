"""Cases and their event log: opening, the clocks, responses, closing, the list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, text
from sqlalchemy.dialects.postgresql import insert

from council_social.cases.tables import case_events, case_watch_marks, cases

# Serialises response_watch runs and officers' commands on the same cases.
CASES_LOCK = 7_240_004


def lock(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CASES_LOCK})


# --- the watch's marks -------------------------------------------------------------------


def add_mark(conn: Connection, name: str, at: datetime, recorded_at: datetime) -> None:
    """Store the mark unless one of that name is stored."""
    conn.execute(insert(case_watch_marks).values(name=name, at=at, recorded_at=recorded_at)
                 .on_conflict_do_nothing(index_elements=["name"]))


def mark(conn: Connection, name: str) -> datetime | None:
    return conn.execute(select(case_watch_marks.c.at)
                        .where(case_watch_marks.c.name == name)).scalar()


# --- opening -----------------------------------------------------------------------------


def decisions_without_case(conn: Connection, *, now: datetime, outcomes: list[str],
                           flags: list[str], rules_version: str | None) -> list:
    """Each item's ruling decision (under `rules_version`, else its latest) made for an item
    received by `now` whose outcome is one of `outcomes` or which carries one of `flags`, and
    which has no case yet; with the item's author, conversation and url (mappings)."""
    params = {"now": now, "outcomes": outcomes, "flags": flags}
    where = "item_created_at <= :now"
    if rules_version:
        where += " AND rules_version = :version"
        params["version"] = rules_version
    # Without a version, each item's latest decision (highest rules_version) rules; what it
    # promises is judged after that choice, not before.
    return conn.execute(text(f"""
        SELECT latest.*, i.author_external_id, i.conversation_id, i.url
        FROM (
            SELECT DISTINCT ON (d.platform, d.external_id)
                   d.platform, d.external_id, d.rules_version, d.outcome, d.flags, d.department,
                   d.topic, d.foi_valid, d.item_created_at
            FROM social.triage_decisions d
            WHERE {where}
            ORDER BY d.platform, d.external_id, d.rules_version DESC
        ) latest
        LEFT JOIN social.items i ON i.platform = latest.platform
             AND i.external_id = latest.external_id
        WHERE (latest.outcome = ANY(:outcomes) OR latest.flags && CAST(:flags AS text[]))
          AND NOT EXISTS (SELECT 1 FROM social.cases c
                          WHERE c.platform = latest.platform
                            AND c.external_id = latest.external_id)
        ORDER BY latest.item_created_at, latest.platform, latest.external_id
    """), params).mappings().all()


def add_case(conn: Connection, values: dict) -> int | None:
    """The new case's id; None if the item already has a case of that kind."""
    row = conn.execute(insert(cases).values(**values)
                       .on_conflict_do_nothing(constraint="cases_item_kind_key")
                       .returning(cases.c.id)).first()
    return None if row is None else row.id


# --- replies in the thread ---------------------------------------------------------------


def thread_replies(conn: Connection, author_ids: list[str], now: datetime) -> list:
    """Posts by `author_ids` up to `now` (not deleted) that answer a case not closed: a reply
    to the case's item, or to its author in the same conversation; by case, time, reply id."""
    # Two joins rather than one OR so each can use the items' keys.
    return conn.execute(text("""
        WITH open_cases AS (
            SELECT c.id, c.kind, c.team, c.platform, c.external_id,
                   i.created_at, i.conversation_id, i.author_external_id AS resident
            FROM social.cases c
            JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
            WHERE c.status <> 'closed'
        ), council_replies AS (
            SELECT r.platform, r.external_id, r.author_external_id, r.created_at,
                   r.in_reply_to_external_id, r.in_reply_to_author_id, r.conversation_id
            FROM social.items r
            WHERE r.author_external_id = ANY(:ids) AND r.created_at <= :now AND NOT r.deleted
        )
        SELECT o.id, o.kind, o.team, r.platform, r.external_id AS reply_id,
               r.author_external_id, r.created_at
        FROM open_cases o JOIN council_replies r
             ON r.platform = o.platform AND r.in_reply_to_external_id = o.external_id
        WHERE r.created_at >= o.created_at
        UNION
        SELECT o.id, o.kind, o.team, r.platform, r.external_id AS reply_id,
               r.author_external_id, r.created_at
        FROM open_cases o JOIN council_replies r
             ON r.platform = o.platform AND r.conversation_id = o.conversation_id
            AND r.in_reply_to_author_id = o.resident
        WHERE r.created_at >= o.created_at AND r.external_id <> o.external_id
        ORDER BY id, created_at, reply_id
    """), {"ids": author_ids, "now": now}).mappings().all()


def response_state(conn: Connection, case_id: int):
    """(status, responded_at) of the case."""
    return conn.execute(
        select(cases.c.status, cases.c.responded_at).where(cases.c.id == case_id)).one()


# --- status changes ----------------------------------------------------------------------


def set_responded(conn: Connection, case_id: int, *, at: datetime, actor: str, channel: str,
                  recorded_at: datetime) -> None:
    conn.execute(cases.update().where(cases.c.id == case_id).values(
        status="responded", responded_at=at, responded_by=actor, response_channel=channel,
        updated_at=recorded_at))


def set_closed(conn: Connection, case_id: int, *, at: datetime, recorded_at: datetime) -> None:
    conn.execute(cases.update().where(cases.c.id == case_id).values(
        status="closed", closed_at=at, updated_at=recorded_at))


def set_status(conn: Connection, case_id: int, status: str, now: datetime) -> None:
    conn.execute(cases.update().where(cases.c.id == case_id).values(status=status, updated_at=now))


# --- the clocks --------------------------------------------------------------------------


def late_cases(conn: Connection, statuses, now: datetime) -> list:
    """Id, team, status, due_at and escalate_at of the cases in `statuses`, not responded
    to, due at or before `now`; by id."""
    return conn.execute(
        select(cases.c.id, cases.c.team, cases.c.status, cases.c.due_at, cases.c.escalate_at)
        .where(cases.c.status.in_(statuses), cases.c.responded_at.is_(None),
               cases.c.due_at <= now)
        .order_by(cases.c.id)
    ).all()


def once_keys(conn: Connection, case_ids: list[int]) -> dict[int, set[str]]:
    """case id -> the once-only keys of its events recorded so far."""
    keys: dict[int, set[str]] = {i: set() for i in case_ids}
    if case_ids:
        for case_id, key in conn.execute(text(
            "SELECT case_id, once_key FROM social.case_events"
            " WHERE case_id = ANY(:ids) AND once_key IS NOT NULL"), {"ids": case_ids}):
            keys[case_id].add(key)
    return keys


def add_event(conn: Connection, values: dict) -> bool:
    """Append an event; one whose `once_key` is taken is skipped (returns False)."""
    stmt = insert(case_events).values(**values)
    if values.get("once_key") is not None:
        stmt = stmt.on_conflict_do_nothing(constraint="case_events_once_key")
    return conn.execute(stmt.returning(case_events.c.id)).first() is not None


def foi_awaiting(conn: Connection, now: datetime) -> list:
    """Id, team, due_at and status of FoI cases not answered or closed, due after `now`."""
    return conn.execute(
        select(cases.c.id, cases.c.team, cases.c.due_at, cases.c.status)
        .where(cases.c.kind == "foi", cases.c.responded_at.is_(None),
               cases.c.status != "closed", cases.c.due_at > now)
        .order_by(cases.c.id)
    ).all()


def foi_not_closed(conn: Connection) -> list:
    """Id, platform, external_id, due_at and status of FoI cases not closed, by id."""
    return conn.execute(
        select(cases.c.id, cases.c.platform, cases.c.external_id, cases.c.due_at, cases.c.status)
        .where(cases.c.kind == "foi", cases.c.status != "closed")
        .order_by(cases.c.id)
    ).all()


# --- one case, the list ------------------------------------------------------------------


def get_case(conn: Connection, case_id: int):
    """The case's row (a mapping), or None."""
    return conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()


def set_assignee(conn: Connection, case_id: int, *, email: str, name: str, team: str,
                 at: datetime) -> None:
    conn.execute(cases.update().where(cases.c.id == case_id).values(
        assignee=email, assignee_name=name, team=team, updated_at=at))


def cases_in_status(conn: Connection, status: str, team: str | None = None) -> list:
    """(id, kind) of the cases in `status` (of one team if given), oldest first."""
    query = (select(cases.c.id, cases.c.kind).where(cases.c.status == status)
             .order_by(cases.c.opened_at, cases.c.id))
    if team:
        query = query.where(cases.c.team == team)
    return conn.execute(query).all()


def case_kind(conn: Connection, case_id: int) -> str | None:
    return conn.execute(select(cases.c.kind).where(cases.c.id == case_id)).scalar()


def find_cases(conn: Connection, *, team: str | None = None, overdue: bool = False,
               statuses=None, kind: str | None = None) -> list[dict]:
    """Cases of the team and kind given, overdue or escalated if `overdue`, in `statuses` if
    given; by due time and id."""
    query = select(cases).order_by(cases.c.due_at, cases.c.id)
    if team:
        query = query.where(cases.c.team == team)
    if kind:
        query = query.where(cases.c.kind == kind)
    if overdue:
        query = query.where(cases.c.status.in_(("overdue", "escalated")))
    if statuses:
        query = query.where(cases.c.status.in_(statuses))
    return [dict(r) for r in conn.execute(query).mappings()]
