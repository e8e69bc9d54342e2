"""Legal holds: an open FoI case (or any case) keeps its items' archive files.

A hold is placed (`repo.place_hold`) when a case opens and released (`repo.release_hold`,
`repo.release_case_holds`) when it closes. A file is held while any active hold's item
appears in any exchange it contains (`repo.holds_on_file`), so retention never removes
held evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from council_social.archive import repo

FOI_HOLD_REASON = "open FoI request"


def sync_foi_holds(conn: Connection, as_of: datetime) -> dict:
    """Hold the items of every open FoI case; release holds of cases since closed.

    Only holds this function placed (reason FOI_HOLD_REASON) are released here;
    holds placed by hand stay until released by hand.
    """
    from council_social.cases.foi import open_foi_items

    open_items = open_foi_items(conn)
    for item in open_items:
        repo.place_hold(conn, item["platform"], item["external_id"], FOI_HOLD_REASON,
                        item["ref"], at=as_of)
    keep = {(i["platform"], str(i["external_id"]), i["ref"]) for i in open_items}
    released = 0
    for hold in repo.active_holds(conn, FOI_HOLD_REASON):
        if (hold["platform"], hold["external_id"], hold["case_ref"]) not in keep:
            released += repo.release_hold(conn, hold["platform"], hold["external_id"],
                                          hold["case_ref"], at=as_of)
    return {"held": len(open_items), "released": released}
