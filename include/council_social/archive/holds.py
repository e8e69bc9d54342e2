"""Legal holds: an open FoI case (or any case) keeps its items' archive files.

The cases capability calls `place_hold` when a case opens and `release_hold`
when it closes. A file is held while any active hold's item appears in any
exchange it contains, so retention never removes held evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects.postgresql import insert

from council_social.archive.tables import legal_holds


def place_hold(conn: Connection, platform: str, external_id: str, reason: str, case_ref: str,
               at: datetime | None = None) -> None:
    """Hold an item for a case; placing it again re-opens a released hold."""
    when = at or datetime.now(UTC)
    conn.execute(
        insert(legal_holds)
        .values(platform=platform, external_id=str(external_id), case_ref=case_ref,
                reason=reason, placed_at=when)
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
    """A case closed: release every hold it placed."""
    return conn.execute(
        update(legal_holds)
        .where(legal_holds.c.case_ref == case_ref, legal_holds.c.released_at.is_(None))
        .values(released_at=at or datetime.now(UTC))
    ).rowcount


FOI_HOLD_REASON = "open FoI request"


def sync_foi_holds(conn: Connection, as_of: datetime) -> dict:
    """Hold the items of every open FoI case; release holds of cases since closed.

    Only holds this function placed (reason FOI_HOLD_REASON) are released here;
    holds placed by hand stay until released by hand.
    """
    from council_social.cases.foi import open_foi_items

    open_items = open_foi_items(conn)
    for item in open_items:
        place_hold(conn, item["platform"], item["external_id"], FOI_HOLD_REASON, item["ref"],
                   at=as_of)
    keep = {(i["platform"], str(i["external_id"]), i["ref"]) for i in open_items}
    released = 0
    for hold in conn.execute(select(legal_holds).where(
            legal_holds.c.reason == FOI_HOLD_REASON, legal_holds.c.released_at.is_(None))).mappings():
        if (hold["platform"], hold["external_id"], hold["case_ref"]) not in keep:
            released += release_hold(conn, hold["platform"], hold["external_id"],
                                     hold["case_ref"], at=as_of)
    return {"held": len(open_items), "released": released}


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
