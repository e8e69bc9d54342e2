"""Reads and writes of the archive's tables (manifest, holds, retention, verify runs) and the
store rows the archive reads (raw pages, items, versions, tombstones, authors)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from council_social.archive.tables import (
    archive_files,
    archive_records,
    archive_verify_runs,
    item_tombstones,
    legal_holds,
    retention_log,
)
from council_social.store.tables import authors, items, raw_pages

# Serialises manifest writers (mapped tasks per platform), the anchor's appender and retention,
# so the chain stays linear and one process at a time appends to the anchor log.
CHAIN_LOCK = 7_240_006


def lock_chain(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})


# --- the manifest ------------------------------------------------------------------------


def day_pages(conn: Connection, platform: str, start: datetime, end: datetime) -> list:
    """The platform's raw pages fetched in [start, end), in fetch order (mappings)."""
    return conn.execute(
        select(raw_pages).where(raw_pages.c.platform == platform,
                                raw_pages.c.fetched_at >= start, raw_pages.c.fetched_at < end)
        .order_by(raw_pages.c.fetched_at, raw_pages.c.id)
    ).mappings().all()


def pages_by_id(conn: Connection, page_ids) -> list:
    return conn.execute(
        select(raw_pages).where(raw_pages.c.id.in_(page_ids)).order_by(raw_pages.c.id)
    ).mappings().all()


def newest_day_file(conn: Connection, platform: str, day: date):
    """The manifest row of the day's newest version (a mapping), or None."""
    return conn.execute(
        select(archive_files).where(archive_files.c.platform == platform,
                                    archive_files.c.day == day)
        .order_by(archive_files.c.version.desc()).limit(1)
    ).mappings().first()


def chain_head(conn: Connection):
    """(sha256, chain_position) of the last file in the chain, or None."""
    return conn.execute(
        select(archive_files.c.sha256, archive_files.c.chain_position)
        .order_by(archive_files.c.chain_position.desc()).limit(1)
    ).first()


def add_file(conn: Connection, row: dict, records: list[dict]) -> int:
    """A manifest row and its record rows (each without `file_id`); returns the file's id."""
    file_id = conn.execute(insert(archive_files).values(**row)
                           .returning(archive_files.c.id)).scalar_one()
    conn.execute(insert(archive_records), [{"file_id": file_id, **r} for r in records])
    return file_id


def totals(conn: Connection) -> dict:
    """Files, records and bytes not expired."""
    row = conn.execute(select(
        func.count(), func.coalesce(func.sum(archive_files.c.records), 0),
        func.coalesce(func.sum(archive_files.c.bytes), 0),
    ).where(archive_files.c.expired_at.is_(None))).first()
    return {"files": row[0], "records": int(row[1]), "bytes": int(row[2])}


def all_files(conn: Connection) -> list:
    """Every manifest row in chain order (mappings)."""
    return conn.execute(select(archive_files).order_by(archive_files.c.chain_position)
                        ).mappings().all()


def records_of(conn: Connection, file_ids=None) -> list:
    """The record rows of `file_ids` (all files if None), by file and index (mappings)."""
    query = select(archive_records)
    if file_ids is not None:
        query = query.where(archive_records.c.file_id.in_(file_ids))
    return conn.execute(query.order_by(archive_records.c.file_id, archive_records.c.record_index)
                        ).mappings().all()


def record_holders(conn: Connection, page_ids) -> list:
    """(file_id, raw_page_id) of every record that holds one of `page_ids`."""
    return conn.execute(
        select(archive_records.c.file_id, archive_records.c.raw_page_id)
        .where(archive_records.c.raw_page_id.in_(page_ids))).all()


def files_by_id(conn: Connection, file_ids) -> dict[int, dict]:
    return {f["id"]: f for f in conn.execute(
        select(archive_files).where(archive_files.c.id.in_(file_ids))
        .order_by(archive_files.c.chain_position)).mappings()}


# --- the anchor --------------------------------------------------------------------------


def files_after(conn: Connection, position: int) -> list:
    """Position, path, sha256, records and bytes of the files after chain `position`."""
    return conn.execute(
        select(archive_files.c.chain_position, archive_files.c.path, archive_files.c.sha256,
               archive_files.c.records, archive_files.c.bytes)
        .where(archive_files.c.chain_position > position)
        .order_by(archive_files.c.chain_position)).all()


def mark_anchored(conn: Connection, positions: list[int], at: datetime) -> None:
    conn.execute(update(archive_files).where(archive_files.c.chain_position.in_(positions))
                 .values(anchored_at=at))


# --- retention ---------------------------------------------------------------------------


def live_files(conn: Connection) -> list:
    """Manifest rows not expired, in chain order (mappings)."""
    return conn.execute(select(archive_files).where(archive_files.c.expired_at.is_(None))
                        .order_by(archive_files.c.chain_position)).mappings().all()


def record_classes(conn: Connection) -> dict[int, set[str]]:
    """file id -> the classes of its records that came from a raw page."""
    classes: dict[int, set[str]] = {}
    for file_id, klass in conn.execute(
            select(archive_records.c.file_id, archive_records.c.record_class).distinct()
            .where(archive_records.c.raw_page_id.is_not(None))):
        classes.setdefault(file_id, set()).add(klass)
    return classes


def expire_file(conn: Connection, log_row: dict) -> None:
    """Mark the file expired and keep its retention_log row (`file_id`, `expired_at`, ...)."""
    conn.execute(update(archive_files).where(archive_files.c.id == log_row["file_id"])
                 .values(expired_at=log_row["expired_at"]))
    conn.execute(insert(retention_log).values(**log_row))


def file_ids_at(conn: Connection, positions) -> dict[int, int]:
    """chain position -> file id, for the positions that exist."""
    return dict(conn.execute(select(archive_files.c.chain_position, archive_files.c.id)
                             .where(archive_files.c.chain_position.in_(list(positions)))).all())


# --- legal holds -------------------------------------------------------------------------


def place_hold(conn: Connection, platform: str, external_id: str, reason: str, case_ref: str,
               at: datetime | None = None) -> None:
    """Hold an item for a case; placing it again re-opens a released hold."""
    at = at or datetime.now(UTC)
    conn.execute(
        pg_insert(legal_holds)
        .values(platform=platform, external_id=str(external_id), case_ref=case_ref,
                reason=reason, placed_at=at)
        .on_conflict_do_update(constraint="legal_holds_item_case",
                               set_={"reason": reason, "released_at": None})
    )


def release_hold(conn: Connection, platform: str, external_id: str, case_ref: str,
                 at: datetime | None = None) -> int:
    """Release one item's hold for one case; other cases' holds on it stay. Returns rows."""
    return conn.execute(
        update(legal_holds)
        .where(legal_holds.c.platform == platform,
               legal_holds.c.external_id == str(external_id),
               legal_holds.c.case_ref == case_ref, legal_holds.c.released_at.is_(None))
        .values(released_at=at or datetime.now(UTC))
    ).rowcount


def release_case_holds(conn: Connection, case_ref: str, at: datetime | None = None) -> int:
    """Release every hold a case placed; returns rows."""
    return conn.execute(
        update(legal_holds)
        .where(legal_holds.c.case_ref == case_ref, legal_holds.c.released_at.is_(None))
        .values(released_at=at or datetime.now(UTC))
    ).rowcount


def active_holds(conn: Connection, reason: str) -> list:
    """Holds placed for `reason` and not released (mappings)."""
    return conn.execute(select(legal_holds).where(
        legal_holds.c.reason == reason, legal_holds.c.released_at.is_(None))).mappings().all()


# A hold matches an exchange that carries the item's id as a JSON string, or that the
# store links to the item (current row, any version, or its tombstone).
_HOLDS_ON_FILE = text("""
SELECT DISTINCT h.case_ref, h.external_id
FROM social.archive_records r
JOIN social.raw_pages p ON p.id = r.raw_page_id
JOIN social.legal_holds h ON h.platform = p.platform AND h.released_at IS NULL
WHERE r.file_id = :file_id AND (
    position(convert_to('"' || h.external_id || '"', 'UTF8') in p.body) > 0
    OR EXISTS (SELECT 1 FROM social.item_versions v WHERE v.raw_page_id = p.id
               AND v.platform = h.platform AND v.external_id = h.external_id)
    OR EXISTS (SELECT 1 FROM social.items i WHERE i.raw_page_id = p.id
               AND i.platform = h.platform AND i.external_id = h.external_id)
    OR EXISTS (SELECT 1 FROM social.item_tombstones t WHERE t.raw_page_id = p.id
               AND t.platform = h.platform AND t.external_id = h.external_id))
ORDER BY 1, 2
""")


def holds_on_file(conn: Connection, file_id: int) -> list[tuple[str, str]]:
    """(case_ref, external_id) of the active holds that keep this file."""
    return [tuple(r) for r in conn.execute(_HOLDS_ON_FILE, {"file_id": file_id})]


# --- search and the FoI export -----------------------------------------------------------

# Any text the item has held: its current text is its newest version's, so the one
# full-text index (on item_versions) serves both.
_MATCH = (
    "(i.platform, i.external_id) IN (SELECT v.platform, v.external_id"
    " FROM social.item_versions v"
    " WHERE to_tsvector('english', v.text) @@ websearch_to_tsquery('english', :words))"
)


def find_items(conn: Connection, *, words: str | None = None, start: datetime | None = None,
               end: datetime | None = None, account: str | None = None,
               author: str | None = None, platform: str | None = None,
               limit: int | None = None) -> list[dict]:
    """Items matching every criterion given (created in [start, end); `author` a username,
    any case, with or without its @), oldest first, with author, version count and deletion state."""
    where, params = [], {}
    if words and words.strip():
        where.append(_MATCH)
        params["words"] = words
    if start:
        where.append("i.created_at >= :start")
        params["start"] = start
    if end:
        where.append("i.created_at < :end")
        params["end"] = end
    if account:
        where.append("i.account_key = :account")
        params["account"] = account
    if author:
        where.append("lower(a.username) = lower(:author)")
        params["author"] = author.lstrip("@")
    if platform:
        where.append("i.platform = :platform")
        params["platform"] = platform
    sql = (
        "SELECT i.platform, i.external_id, i.account_key, i.kind, i.created_at, i.text, i.url,"
        " i.author_external_id, a.username AS author_username, a.display_name AS author_name,"
        " i.version AS versions, i.deleted, i.deleted_at, i.raw_page_id"
        " FROM social.items i LEFT JOIN social.authors a"
        " ON a.platform = i.platform AND a.external_id = i.author_external_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY i.created_at, i.platform, i.external_id"
    )
    if limit:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def versions_of(conn: Connection, keys: list[tuple[str, str]]) -> list[dict]:
    """Every stored version of the given items, in version order."""
    if not keys:
        return []
    return [dict(r) for r in conn.execute(text(
        "SELECT v.platform, v.external_id, v.version, v.text, v.observed_at, v.raw_page_id"
        " FROM social.item_versions v"
        " JOIN unnest(CAST(:platforms AS text[]), CAST(:ids AS text[])) AS k(platform, external_id)"
        " ON v.platform = k.platform AND v.external_id = k.external_id"
        " ORDER BY v.platform, v.external_id, v.version"
    ), {"platforms": [k[0] for k in keys], "ids": [k[1] for k in keys]}).mappings()]


def evidence_pages(conn: Connection, keys: list[tuple[str, str]]) -> list[int]:
    """Raw pages that evidence the items: each version, the latest sighting, the tombstone."""
    if not keys:
        return []
    return list(conn.execute(text(
        "WITH k AS (SELECT * FROM unnest(CAST(:platforms AS text[]), CAST(:ids AS text[]))"
        "   AS k(platform, external_id))"
        " SELECT v.raw_page_id FROM social.item_versions v JOIN k USING (platform, external_id)"
        " UNION SELECT i.raw_page_id FROM social.items i JOIN k USING (platform, external_id)"
        " UNION SELECT t.raw_page_id FROM social.item_tombstones t JOIN k USING (platform, external_id)"
        " ORDER BY 1"
    ), {"platforms": [k[0] for k in keys], "ids": [k[1] for k in keys]}).scalars())


def author_names(conn: Connection) -> dict[str, tuple[str, str]]:
    """Every author's external id -> (username, display name)."""
    return {r.external_id: (r.username, r.display_name)
            for r in conn.execute(select(authors.c.external_id, authors.c.username,
                                         authors.c.display_name))}


# --- the edit and deletion re-check ------------------------------------------------------


def items_created_between(conn: Connection, platform: str, since: datetime,
                          until: datetime) -> list:
    """(account_key, external_id) of the platform's council-account items created in
    [since, until), deleted ones included, by account and id."""
    return conn.execute(
        select(items.c.account_key, items.c.external_id)
        .where(items.c.platform == platform,
               items.c.account_key.is_not(None),
               items.c.created_at >= since, items.c.created_at < until)
        .order_by(items.c.account_key, items.c.external_id)
    ).all()


def mark_deleted(conn: Connection, platform: str, external_id: str, at: datetime) -> bool:
    """Mark the item deleted at `at`; False if it was already (or is not stored)."""
    return bool(conn.execute(
        update(items).where(items.c.platform == platform,
                            items.c.external_id == external_id, ~items.c.deleted)
        .values(deleted=True, deleted_at=at)
    ).rowcount)


def add_tombstone(conn: Connection, platform: str, external_id: str, observed_at: datetime,
                  raw_page_id: int, detail: str) -> None:
    """One tombstone per item and proving page (again: nothing)."""
    conn.execute(pg_insert(item_tombstones).values(
        platform=platform, external_id=external_id, observed_at=observed_at,
        raw_page_id=raw_page_id, detail=detail).on_conflict_do_nothing())


# --- verify runs -------------------------------------------------------------------------


def verify_runs_table_exists(conn: Connection) -> bool:
    """False where the verify log's migration has not run."""
    return conn.exec_driver_sql(
        "SELECT to_regclass('social.archive_verify_runs')").scalar() is not None


def add_verify_run(conn: Connection, row: dict) -> None:
    conn.execute(archive_verify_runs.insert().values(**row))


def last_verify_run(conn: Connection) -> dict | None:
    row = conn.execute(select(archive_verify_runs).order_by(
        archive_verify_runs.c.verified_at.desc(), archive_verify_runs.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row else None
