"""Reads and writes of the grid tables (and the items the best times learn from)."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from council_social.grid.placement import Posted, Slot
from council_social.grid.planner import PlannerEntry
from council_social.grid.tables import (
    grid_publications,
    grid_slots,
    override_log,
    planner_entries,
    post_attempts,
)

ENTRY_FIELDS = ("title", "message", "channels", "earliest", "latest", "owner", "priority",
                "status", "campaign", "essential", "press_release_url", "media")
# Statuses the publisher moves an entry through; the planner file owns the others.
LIVE = ("approved", "scheduled")
# Kinds of attempt the next grid lists as missed (with the attempt's reason).
MISSED_STATUSES = ("missed", "failed", "auth_failed", "pending")


def merged_status(stored: str | None, planned: str) -> str:
    """The status after a re-import: the file may not undo what publishing did.

    A published entry stays published (the post is out); a scheduled entry the
    file still calls approved stays scheduled. Anything else is the file's call
    (an officer may withdraw, un-approve or re-approve an entry).
    """
    if stored == "published":
        return "published"
    if stored == "scheduled" and planned == "approved":
        return "scheduled"
    return planned


def _entry_row(e: PlannerEntry) -> dict:
    return {"key": e.key, "title": e.title, "message": e.message, "channels": list(e.channels),
            "earliest": e.earliest, "latest": e.latest, "owner": e.owner,
            "priority": e.priority, "status": e.status, "campaign": e.campaign,
            "essential": e.essential, "press_release_url": e.press_release_url,
            "media": list(e.media)}


def upsert_entries(conn: Connection, entries: list[PlannerEntry], source: str,
                   imported_at: datetime) -> dict[str, int]:
    """Insert new entries, update changed ones; an unchanged entry is left alone."""
    existing = {r.key: r for r in conn.execute(
        select(planner_entries).where(planner_entries.c.key.in_([e.key for e in entries])))}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for e in entries:
        row = _entry_row(e)
        old = existing.get(e.key)
        row["status"] = merged_status(old.status if old is not None else None, e.status)
        if old is not None and all(_same(getattr(old, f), row[f]) for f in ENTRY_FIELDS):
            counts["unchanged"] += 1
            continue
        counts["updated" if old is not None else "inserted"] += 1
        stmt = insert(planner_entries).values(**row, source=source, imported_at=imported_at)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={f: stmt.excluded[f] for f in (*ENTRY_FIELDS, "source", "imported_at")}))
    return counts


def _same(a, b) -> bool:
    return list(a) == list(b) if isinstance(b, list) else a == b


def _entry(r) -> PlannerEntry:
    return PlannerEntry(key=r.key, title=r.title, message=r.message, channels=tuple(r.channels),
                        earliest=r.earliest, latest=r.latest, owner=r.owner,
                        priority=r.priority, status=r.status, campaign=r.campaign,
                        essential=r.essential, press_release_url=r.press_release_url,
                        media=tuple(r.media or ()))


def entries_between(conn: Connection, first: date, last: date) -> list[PlannerEntry]:
    rows = conn.execute(select(planner_entries).where(
        planner_entries.c.latest >= first, planner_entries.c.earliest <= last
    ).order_by(planner_entries.c.key))
    return [_entry(r) for r in rows]


def entries_by_key(conn: Connection, keys) -> dict[str, PlannerEntry]:
    rows = conn.execute(select(planner_entries).where(planner_entries.c.key.in_(list(keys))))
    return {r.key: _entry(r) for r in rows}


def own_post_history(conn: Connection, account, start: datetime, end: datetime
                     ) -> list[tuple[datetime, int]]:
    """(created_at, engagement) of the account's own original posts in [start, end)."""
    from council_social.grid.best_times import engagement
    from council_social.store.tables import items

    if not account.external_id:
        return []
    rows = conn.execute(select(items.c.created_at, items.c.metrics).where(
        items.c.platform == account.platform,
        items.c.author_external_id == str(account.external_id),
        items.c.kind == "post", items.c.deleted.is_(False),
        items.c.created_at >= start, items.c.created_at < end,
    ).order_by(items.c.created_at, items.c.external_id))
    return [(r.created_at, engagement(r.metrics or {})) for r in rows]


def posted_between(conn: Connection, start: datetime, end: datetime) -> list[Posted]:
    rows = conn.execute(select(post_attempts).where(
        post_attempts.c.status == "posted", post_attempts.c.slot_at >= start,
        post_attempts.c.slot_at < end))
    return [Posted(r.entry_key, r.account_key, r.slot_at, r.external_id) for r in rows]


def overridden_entries(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(select(override_log.c.entry_key).where(
        override_log.c.kind == "pre_election").distinct()).scalars())


def log_override(conn: Connection, entry_key: str, officer: str, reason: str,
                 logged_at: datetime) -> None:
    conn.execute(override_log.insert().values(entry_key=entry_key, officer=officer,
                                              reason=reason, kind="pre_election",
                                              logged_at=logged_at))


def save_grid(conn: Connection, grid_start: date, built_for: datetime, grid_end: date,
              slots: list[Slot], best_times: dict) -> None:
    """Replace this build's slots and (re)record the build; files come with publication."""
    key = and_(grid_slots.c.grid_start == grid_start, grid_slots.c.built_for == built_for)
    conn.execute(delete(grid_slots).where(key))
    if slots:
        conn.execute(grid_slots.insert(), [{
            "grid_start": grid_start, "built_for": built_for, "entry_key": s.entry_key,
            "account_key": s.account_key, "state": s.state, "slot_at": s.slot_at,
            "mode": s.mode, "score": s.score, "why": s.why, "cover": s.cover,
            "flags": list(s.flags)} for s in slots])
    counts = {state: sum(1 for s in slots if s.state == state)
              for state in ("placed", "published", "unplaced", "held")}
    stmt = insert(grid_publications).values(
        grid_start=grid_start, built_for=built_for, grid_end=grid_end,
        placed=counts["placed"] + counts["published"], unplaced=counts["unplaced"],
        held=counts["held"], files={}, best_times=best_times)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["grid_start", "built_for"],
        set_={c: stmt.excluded[c] for c in ("grid_end", "placed", "unplaced", "held", "files",
                                            "best_times")}))


def load_grid(conn: Connection, grid_start: date, built_for: datetime):
    pub = conn.execute(select(grid_publications).where(
        grid_publications.c.grid_start == grid_start,
        grid_publications.c.built_for == built_for)).first()
    if pub is None:
        raise LookupError(f"no grid built for {grid_start} at {built_for.isoformat()}")
    rows = conn.execute(select(grid_slots).where(
        grid_slots.c.grid_start == grid_start, grid_slots.c.built_for == built_for))
    slots = [Slot(r.entry_key, r.account_key, r.state, r.slot_at, r.mode, r.score, r.why,
                  r.cover, tuple(r.flags)) for r in rows]
    return pub, slots


def record_files(conn: Connection, grid_start: date, built_for: datetime, files: dict) -> None:
    conn.execute(update(grid_publications).where(
        grid_publications.c.grid_start == grid_start,
        grid_publications.c.built_for == built_for).values(files=json.loads(json.dumps(files))))


def due_slots(conn: Connection, interval_end: datetime, not_before: datetime) -> list:
    """API slots of the newest grid built by `interval_end` whose time has come."""
    newest = conn.execute(select(func.max(grid_publications.c.built_for)).where(
        grid_publications.c.built_for <= interval_end)).scalar()
    if newest is None:
        return []
    return list(conn.execute(select(grid_slots).where(
        grid_slots.c.built_for == newest, grid_slots.c.state == "placed",
        grid_slots.c.mode == "post", grid_slots.c.slot_at < interval_end,
        grid_slots.c.slot_at >= not_before,
    ).order_by(grid_slots.c.slot_at, grid_slots.c.account_key, grid_slots.c.entry_key)))


def mark_scheduled(conn: Connection, keys) -> list[str]:
    """approved -> scheduled for entries placed in a published grid; nothing else moves."""
    keys = sorted(set(keys))
    if not keys:
        return []
    return sorted(conn.execute(update(planner_entries).where(
        planner_entries.c.key.in_(keys), planner_entries.c.status == "approved"
    ).values(status="scheduled").returning(planner_entries.c.key)).scalars())


def posted_ids(conn: Connection, entry_key: str) -> dict[str, str | None]:
    """account key -> the platform's id of the entry's post there."""
    return {r.account_key: r.external_id for r in conn.execute(
        select(post_attempts.c.account_key, post_attempts.c.external_id).where(
            post_attempts.c.entry_key == entry_key, post_attempts.c.status == "posted"))}


def mark_published_if_done(conn: Connection, entry_key: str) -> bool:
    """-> published once every channel of a live entry has a post; True if it moved now."""
    row = conn.execute(select(planner_entries.c.channels, planner_entries.c.status).where(
        planner_entries.c.key == entry_key)).first()
    if row is None or row.status not in LIVE:
        return False
    if not set(row.channels) <= set(posted_ids(conn, entry_key)):
        return False
    return conn.execute(update(planner_entries).where(
        planner_entries.c.key == entry_key, planner_entries.c.status.in_(LIVE)
    ).values(status="published")).rowcount == 1


def passed_slots(conn: Connection, since: datetime, before: datetime) -> list:
    """API slots in [since, before) of the grid in force at each slot's time.

    The grid in force is the newest one built at or before the slot: a later
    grid cannot hold it (grids offer nothing before they were built for).
    """
    g = grid_publications.alias("g")
    in_force = select(func.max(g.c.built_for)).where(
        g.c.built_for <= grid_slots.c.slot_at).scalar_subquery()
    return list(conn.execute(select(grid_slots).where(
        grid_slots.c.built_for == in_force, grid_slots.c.state == "placed",
        grid_slots.c.mode == "post", grid_slots.c.slot_at >= since,
        grid_slots.c.slot_at < before,
    ).order_by(grid_slots.c.slot_at, grid_slots.c.account_key, grid_slots.c.entry_key)))


def record_missed_attempt(conn: Connection, key: str, entry: PlannerEntry, account_key: str,
                          platform: str, slot_at: datetime, why: str, at: datetime) -> bool:
    """Insert a `missed` attempt unless the slot has one or the entry is already posted
    there (by any slot); True if inserted."""
    if conn.execute(select(post_attempts.c.idempotency_key).where(
            post_attempts.c.entry_key == entry.key, post_attempts.c.account_key == account_key,
            post_attempts.c.status == "posted")).first() is not None:
        return False
    return conn.execute(insert(post_attempts).values(
        idempotency_key=key, entry_key=entry.key, account_key=account_key, platform=platform,
        slot_at=slot_at, text=entry.message, status="missed", external_id=None, tries=0,
        detail=why, first_tried_at=at, last_tried_at=at,
    ).on_conflict_do_nothing(index_elements=["idempotency_key"])).rowcount == 1


def missed_between(conn: Connection, since: datetime, before: datetime) -> list:
    """Attempts in [since, before) that did not end in a post, for the grid's missed list.

    An entry posted on that account by another slot is not listed.
    """
    posted = select(post_attempts.c.entry_key, post_attempts.c.account_key).where(
        post_attempts.c.status == "posted")
    rows = conn.execute(select(post_attempts).where(
        post_attempts.c.status.in_(MISSED_STATUSES), post_attempts.c.slot_at >= since,
        post_attempts.c.slot_at < before,
    ).order_by(post_attempts.c.slot_at, post_attempts.c.account_key,
               post_attempts.c.entry_key))
    done = {(r.entry_key, r.account_key) for r in conn.execute(posted)}
    return [r for r in rows if (r.entry_key, r.account_key) not in done]
