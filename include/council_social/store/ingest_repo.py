"""Raw pages, fetch records and watermarks: what ingest writes, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from council_social.items import RawPage
from council_social.store.tables import (
    ingest_fetches,
    ingest_watermarks,
    raw_pages,
)


@dataclass(frozen=True)
class FetchKey:
    platform: str
    account_key: str
    endpoint: str
    interval_end: datetime


def id_is_newer(candidate: str, current: str | None) -> bool:
    """Snowflake-style ids: longer is newer, then lexical order."""
    if current is None:
        return True
    if candidate.isdigit() and current.isdigit():
        return (len(candidate), candidate) > (len(current), current)
    return candidate > current


@dataclass(frozen=True)
class FetchPlan:
    since_id: str | None
    start_time: datetime | None


def plan_fetch(conn: Connection, key: FetchKey, default_start: datetime) -> FetchPlan:
    """Where to fetch from: a rerun of an interval asks the question it asked before.

    With a watermark, from the watermark. Without one, from a fixed look-back,
    reaching back to the start of any earlier first fetch that stopped early,
    so the oldest part of that window is not skipped.
    """
    same_key = (
        (ingest_fetches.c.platform == key.platform)
        & (ingest_fetches.c.account_key == key.account_key)
        & (ingest_fetches.c.endpoint == key.endpoint)
    )
    earlier = conn.execute(
        select(ingest_fetches.c.since_id, ingest_fetches.c.start_time)
        .where(same_key, ingest_fetches.c.interval_end == key.interval_end)
    ).first()
    if earlier is not None:
        return FetchPlan(earlier.since_id, earlier.start_time)
    watermark = current_watermark(conn, key)
    if watermark is not None:
        return FetchPlan(watermark, None)
    unfinished = conn.execute(
        select(func.min(ingest_fetches.c.start_time)).where(
            same_key, ingest_fetches.c.since_id.is_(None), ~ingest_fetches.c.complete,
            ingest_fetches.c.interval_end < key.interval_end,
        )
    ).scalar()
    return FetchPlan(None, min(default_start, unfinished) if unfinished else default_start)


def current_watermark(conn: Connection, key: FetchKey) -> str | None:
    return conn.execute(
        select(ingest_watermarks.c.since_id).where(
            ingest_watermarks.c.platform == key.platform,
            ingest_watermarks.c.account_key == key.account_key,
            ingest_watermarks.c.endpoint == key.endpoint,
        )
    ).scalar()


def record_fetch(
    conn: Connection,
    key: FetchKey,
    *,
    interval_start: datetime,
    plan: FetchPlan,
    pages: list[RawPage],
    newest_id: str | None,
    complete: bool,
    stopped_reason: str | None,
) -> int:
    """Land the pages and move the watermark; returns how many pages were new."""
    new_pages = 0
    for number, page in enumerate(pages):
        inserted = conn.execute(
            insert(raw_pages)
            .values(
                platform=page.platform,
                account_key=page.account_key,
                endpoint=key.endpoint,
                request_url=page.request_url,
                request_params=page.request_params,
                interval_start=interval_start,
                interval_end=key.interval_end,
                page_number=number,
                fetched_at=page.fetched_at,
                status=page.status,
                headers=page.headers,
                body=page.body,
                sha256=page.sha256,
            )
            .on_conflict_do_nothing(constraint="raw_pages_exchange_key")
            .returning(raw_pages.c.id)
        ).first()
        new_pages += inserted is not None
    fetch_row = {
        "platform": key.platform,
        "account_key": key.account_key,
        "endpoint": key.endpoint,
        "interval_end": key.interval_end,
        "since_id": plan.since_id,
        "start_time": plan.start_time,
        "newest_id": newest_id,
        "complete": complete,
        "stopped_reason": stopped_reason,
        "pages": len(pages),
    }
    conn.execute(
        insert(ingest_fetches)
        .values(**fetch_row)
        .on_conflict_do_update(
            index_elements=["platform", "account_key", "endpoint", "interval_end"],
            set_={k: fetch_row[k] for k in ("newest_id", "complete", "stopped_reason", "pages")},
        )
    )
    if complete and newest_id and id_is_newer(newest_id, current_watermark(conn, key)):
        conn.execute(
            insert(ingest_watermarks)
            .values(platform=key.platform, account_key=key.account_key, endpoint=key.endpoint,
                    since_id=newest_id, interval_end=key.interval_end)
            .on_conflict_do_update(
                index_elements=["platform", "account_key", "endpoint"],
                set_={"since_id": newest_id, "interval_end": key.interval_end},
            )
        )
    return new_pages


def raw_page_bodies(conn: Connection, ids: list[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    return dict(conn.execute(
        select(raw_pages.c.id, raw_pages.c.body).where(raw_pages.c.id.in_(ids))
    ).all())
