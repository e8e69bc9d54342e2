"""Set-based upserts of items, versions, authors and quarantine rows.

Rows are COPYed into temporary staging tables and merged with one statement
per table, keyed on natural keys, so a rerun of the same interval leaves the
same state. The newest observation (the raw page's fetch time) wins for the
current row; every distinct text is kept in `item_versions`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete
from sqlalchemy.dialects.postgresql import insert

from council_social.batches import AcceptedItem, BatchOutcome, PageRef, QuarantineRow
from council_social.items import AuthorRecord
from council_social.store.tables import process_batches, quarantine

ITEM_CONTENT = [
    "account_key", "kind", "author_external_id", "text", "created_at", "lang", "conversation_id",
    "in_reply_to_external_id", "in_reply_to_author_id", "url", "metrics", "content_sha256",
    "raw_page_id",
]
AUTHOR_CONTENT = [
    "username", "display_name", "description", "verified", "followers_count", "following_count",
    "listed_count", "post_count", "location", "url", "created_at", "raw",
]


def storable(value: Any) -> Any:
    """PostgreSQL text and JSONB refuse NUL and lone surrogates; hostile posts carry both."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


_UNSTORABLE_JSON = re.compile("\\\\u0000|[\ud800-\udfff]")


def jsonb_text(value: Any) -> str:
    """JSON text PostgreSQL accepts; only a hostile document pays for the deep clean."""
    text = json.dumps(value, ensure_ascii=False)
    if _UNSTORABLE_JSON.search(text):
        text = json.dumps(storable(value), ensure_ascii=False)
    return text


def _text_value(value: Any) -> str:
    """Any staged value as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _t(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return _t(json.dumps(value, ensure_ascii=False))
    return str(value)


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    # Text format: NULL is \N, so "" stays an empty string. (CSV via csv.QUOTE_NONNUMERIC
    # once quoted None as "" too: NULLs became empty strings.)
    copy_text_lines(conn, table, columns, ["\t".join(map(_text_value, row)) for row in rows])


def _merge_newest(table: str, columns: Sequence[str]) -> str:
    """SET clause: content from whichever observation is newest; first/last seen widen."""
    newest = f"EXCLUDED.last_seen_at >= {table}.last_seen_at"
    sets = [f"{c} = CASE WHEN {newest} THEN EXCLUDED.{c} ELSE {table}.{c} END" for c in columns]
    sets.append(f"first_seen_at = LEAST({table}.first_seen_at, EXCLUDED.first_seen_at)")
    sets.append(f"last_seen_at = GREATEST({table}.last_seen_at, EXCLUDED.last_seen_at)")
    return ", ".join(sets)


_STAGE_ITEMS_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS stage_items (platform text, external_id text,"
    " account_key text, kind text, author_external_id text, text text, created_at timestamptz,"
    " lang text, conversation_id text, in_reply_to_external_id text,"
    " in_reply_to_author_id text, url text, metrics jsonb, content_sha256 text,"
    " raw_page_id bigint, observed_at timestamptz) ON COMMIT DROP"
)
# Every multi-row upsert below takes its row locks in (platform, external_id) order, so
# overlapping runs (a backfill beside the live hour) wait for each other, never deadlock.
KEY_ORDER = "ORDER BY platform, external_id"


def write_items(conn: Connection, outcome: BatchOutcome) -> None:
    stage_items(conn, outcome.accepted)
    merge_staged_items(conn)
    drop_stage(conn)


def drop_stage(conn: Connection) -> None:
    conn.exec_driver_sql("DROP TABLE IF EXISTS stage_items")


def stage_items(conn: Connection, accepted: Sequence[AcceptedItem]) -> None:
    """COPY accepted items into this transaction's staging table (no lock on social.*)."""
    conn.exec_driver_sql(_STAGE_ITEMS_DDL)
    if not accepted:
        return
    columns = ["platform", "external_id", *ITEM_CONTENT, "observed_at"]
    stamps: dict[int, str] = {}  # one fetch time a page, formatted once
    lines = []
    for a in accepted:
        it, page = a.item, a.page
        observed = stamps.get(page.raw_page_id)
        if observed is None:
            observed = stamps[page.raw_page_id] = page.fetched_at.isoformat()
        lines.append("\t".join((
            _t(page.platform), _t(it.external_id), _t(page.account_key), _t(it.kind),
            _t(it.author_external_id), _t(it.text),
            it.created_at.isoformat() if it.created_at else "\\N", _t(it.lang),
            _t(it.conversation_id), _t(it.in_reply_to_external_id),
            _t(it.in_reply_to_author_id), _t(it.url), _t(jsonb_text(it.metrics)),
            a.content_sha256, str(page.raw_page_id), observed,
        )))
    copy_text_lines(conn, "stage_items", columns, lines)


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _t(value: str | None) -> str:
    """A field of COPY's text format: \\N for NULL, so an empty string stays empty."""
    if value is None:
        return "\\N"
    if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
        return value.translate(_TEXT_ESCAPES)
    return value


def copy_text_lines(conn: Connection, table: str, columns: Sequence[str], lines: list[str]) -> None:
    """COPY lines of text format (fields made by `_t`), the whole batch encoded at once.

    NUL becomes U+FFFD and broken UTF-16 '?', as `storable` does field by field.
    """
    if not lines:
        return
    data = ("\n".join(lines) + "\n").replace("\x00", "\ufffd").encode("utf-8", "replace")
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.BytesIO(data))
    finally:
        cursor.close()


def staged_item_keys(conn: Connection, batch_size: int) -> Iterator[list[tuple[str, str]]]:
    """The staged items' keys in key order, `batch_size` at a time."""
    after = ("", "")
    while True:
        keys = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT DISTINCT platform, external_id FROM stage_items"
            " WHERE (platform, external_id) > (%(p)s, %(e)s)"
            f" {KEY_ORDER} LIMIT %(n)s", {"p": after[0], "e": after[1], "n": batch_size})]
        if not keys:
            return
        yield keys
        after = keys[-1]


def merge_staged_items(conn: Connection, max_rounds: int = 5) -> None:
    """Versions, then items, from the staging table (which stays, for triage's keys)."""
    # Two statements, not INSERT ... SELECT: when item_versions looks empty or small to the
    # planner, the per-row lookups become seq scans, and a scan of the table the same
    # statement is filling grows with every row (quadratic: 100k new items took ~2 min).
    for _ in range(max_rounds):
        conn.exec_driver_sql("DROP TABLE IF EXISTS stage_versions")
        conn.exec_driver_sql(
            "CREATE TEMP TABLE stage_versions ON COMMIT DROP AS"
            " SELECT s.platform, s.external_id, COALESCE(m.latest, 0) + 1 AS version,"
            " s.content_sha256, s.text, s.observed_at, s.raw_page_id FROM stage_items s"
            " LEFT JOIN LATERAL (SELECT max(v.version) AS latest FROM social.item_versions v"
            "   WHERE v.platform = s.platform AND v.external_id = s.external_id) m ON true"
            " WHERE NOT EXISTS (SELECT 1 FROM social.item_versions v WHERE v.platform = s.platform"
            "   AND v.external_id = s.external_id AND v.content_sha256 = s.content_sha256)"
        )
        # A concurrent run may have just stored a version of the same item: its number is
        # then taken, the row is skipped here and numbered again in the next round.
        skipped = conn.exec_driver_sql(
            "WITH added AS (INSERT INTO social.item_versions"
            " (platform, external_id, version, content_sha256, text, observed_at, raw_page_id)"
            " SELECT platform, external_id, version, content_sha256, text, observed_at, raw_page_id"
            f" FROM stage_versions {KEY_ORDER} ON CONFLICT DO NOTHING RETURNING 1)"
            " SELECT (SELECT count(*) FROM stage_versions) - (SELECT count(*) FROM added)"
        ).scalar()
        if not skipped:
            break
    else:
        raise RuntimeError(f"item versions still contended after {max_rounds} rounds")
    conn.exec_driver_sql("DROP TABLE stage_versions")
    content = ", ".join(f"s.{c}" for c in ITEM_CONTENT)
    conn.exec_driver_sql(
        f"INSERT INTO social.items (platform, external_id, {', '.join(ITEM_CONTENT)}, version,"
        " first_seen_at, last_seen_at)"
        f" SELECT s.platform, s.external_id, {content}, v.version, s.observed_at, s.observed_at"
        " FROM stage_items s JOIN social.item_versions v ON v.platform = s.platform"
        "   AND v.external_id = s.external_id AND v.content_sha256 = s.content_sha256"
        " ORDER BY s.platform, s.external_id"
        " ON CONFLICT (platform, external_id) DO UPDATE SET "
        + _merge_newest("items", [*ITEM_CONTENT, "version"])
    )


def write_authors(conn: Connection, outcome: BatchOutcome) -> None:
    write_author_records(conn, outcome.authors)


def write_author_records(
    conn: Connection, authors: dict[tuple[str, str], tuple[PageRef, AuthorRecord]]
) -> None:
    if not authors:
        return
    conn.exec_driver_sql(
        "CREATE TEMP TABLE stage_authors (platform text, external_id text, username text,"
        " display_name text, description text, verified boolean, followers_count bigint,"
        " following_count bigint, listed_count bigint, post_count bigint, location text,"
        " url text, created_at timestamptz, raw jsonb, observed_at timestamptz) ON COMMIT DROP"
    )
    copy_rows(conn, "stage_authors", ["platform", "external_id", *AUTHOR_CONTENT, "observed_at"], (
        (page.platform, a.external_id, *(storable(getattr(a, c)) for c in AUTHOR_CONTENT),
         page.fetched_at)
        for page, a in authors.values()
    ))
    conn.exec_driver_sql(
        f"INSERT INTO social.authors (platform, external_id, {', '.join(AUTHOR_CONTENT)},"
        " first_seen_at, last_seen_at)"
        f" SELECT platform, external_id, {', '.join(AUTHOR_CONTENT)}, observed_at, observed_at"
        f" FROM stage_authors {KEY_ORDER}"
        " ON CONFLICT (platform, external_id) DO UPDATE SET "
        + _merge_newest("authors", AUTHOR_CONTENT)
    )
    conn.exec_driver_sql("DROP TABLE stage_authors")


def replace_quarantine(conn: Connection, page_ids: Sequence[int], outcome: BatchOutcome) -> None:
    """The interval's quarantine is recomputed whole, so new rules can clear or add rows."""
    delete_quarantine(conn, page_ids)
    insert_quarantine(conn, outcome.quarantined)


def delete_quarantine(conn: Connection, page_ids: Sequence[int]) -> None:
    if page_ids:
        conn.execute(delete(quarantine).where(quarantine.c.raw_page_id.in_(list(page_ids))))


def insert_quarantine(conn: Connection, rows: Sequence[QuarantineRow]) -> None:
    if rows:
        conn.execute(insert(quarantine), [
            {
                "raw_page_id": q.page.raw_page_id,
                "record_index": q.record_index,
                "platform": q.page.platform,
                "account_key": q.page.account_key,
                "external_id": storable(q.external_id),
                "reasons": q.reasons,
                "record": storable(q.record),
                "quarantined_at": q.page.fetched_at,
            }
            for q in rows
        ])


def delete_contained_batches(conn: Connection, start: datetime, end: datetime) -> int:
    """Accounting rows of intervals inside [start, end]: a longer run's pages now."""
    return conn.execute(delete(process_batches).where(
        process_batches.c.interval_start >= start, process_batches.c.interval_end <= end,
    )).rowcount


def record_batch(
    conn: Connection, start: datetime, end: datetime, raw_page_count: int, outcome: BatchOutcome
) -> dict:
    row = {
        "interval_start": start,
        "interval_end": end,
        "raw_pages": raw_page_count,
        "records": outcome.records,
        "stored": outcome.stored,
        "duplicates": outcome.duplicates,
        "quarantined": outcome.quarantined_items,
        "page_problems": outcome.page_problems,
        "counts_by_account": outcome.by_account,
    }
    conn.execute(
        insert(process_batches).values(**row).on_conflict_do_update(
            index_elements=["interval_start", "interval_end"],
            set_={k: v for k, v in row.items() if not k.startswith("interval_")},
        )
    )
    return row
