"""Which raw pages a process_items run reads: the ones no other run has read.

A batch is named by its interval (start, end], as in process_batches. It claims
each page whose ingest interval ended inside it and that no other batch holds,
and keeps those it already holds: a rerun of the same interval reads the same
pages again and leaves the same state. A backfill (`take_over`) claims every
page of its interval from whichever batch held it.

The claim is one INSERT .. ON CONFLICT in page-id order, so a second run over
the same new pages waits for the first to commit, then skips them, and two runs
never lock pages in opposite orders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, DateTime, and_, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert

from council_social.pipeline.tables import processed_pages
from council_social.store.tables import raw_pages

_TS = DateTime(timezone=True)


def _in_window(start: datetime, end: datetime):
    return and_(raw_pages.c.interval_end > start, raw_pages.c.interval_end <= end)


def _held_by(start: datetime, end: datetime):
    return and_(processed_pages.c.batch_start == start, processed_pages.c.batch_end == end)


def claim_pages(conn: Connection, start: datetime, end: datetime, *, take_over: bool = False):
    """Claim the pages batch (start, end] reads; returns them without bodies, in fetch order."""
    stmt = insert(processed_pages).from_select(
        ["raw_page_id", "batch_start", "batch_end"],
        select(raw_pages.c.id, literal(start, _TS), literal(end, _TS))
        .where(_in_window(start, end)).order_by(raw_pages.c.id),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["raw_page_id"],
        set_={"batch_start": stmt.excluded.batch_start, "batch_end": stmt.excluded.batch_end},
        where=None if take_over else _held_by(start, end),
    )
    conn.execute(stmt)
    return conn.execute(
        select(raw_pages.c.id, raw_pages.c.platform, raw_pages.c.account_key,
               raw_pages.c.endpoint, raw_pages.c.fetched_at, raw_pages.c.status)
        .join(processed_pages, processed_pages.c.raw_page_id == raw_pages.c.id)
        .where(_held_by(start, end))
        .order_by(raw_pages.c.fetched_at, raw_pages.c.id)
    ).all()


def pages_with_bodies(conn: Connection, ids: list[int]):
    """The pages `ids` with their bodies (record_deletions' input), in id order."""
    if not ids:
        return []
    return conn.execute(
        select(raw_pages.c.id, raw_pages.c.platform, raw_pages.c.account_key,
               raw_pages.c.endpoint, raw_pages.c.fetched_at, raw_pages.c.status,
               raw_pages.c.body)
        .where(raw_pages.c.id.in_(ids)).order_by(raw_pages.c.id)
    ).all()


def pages_to_read(conn: Connection, start: datetime, end: datetime) -> int:
    """How many pages a run of (start, end] would read now (0: it has nothing to do)."""
    claim = select(processed_pages.c.raw_page_id).where(
        processed_pages.c.raw_page_id == raw_pages.c.id)
    return conn.execute(
        select(func.count()).select_from(raw_pages).where(
            _in_window(start, end),
            or_(~exists(claim), exists(claim.where(_held_by(start, end)))),
        )
    ).scalar_one()


def unprocessed_window(conn: Connection) -> tuple[datetime, datetime] | None:
    """The smallest (start, end] holding every raw page no run has read yet, or None."""
    first, last = conn.execute(
        select(func.min(raw_pages.c.interval_start), func.max(raw_pages.c.interval_end))
        .where(~exists().where(processed_pages.c.raw_page_id == raw_pages.c.id))
    ).one()
    return None if last is None else (first, last)


def has_pages_to_read(engine, start: datetime, end: datetime) -> bool:
    """Whether a run of (start, end] has a page to read; checked before the heavy imports."""
    with engine.connect() as conn:
        return pages_to_read(conn, start, end) > 0
