"""Deletions proven by the edit and deletion re-check (`archive.recheck`).

The re-check lands X's answers to `GET /2/tweets?ids=` as raw pages under the
endpoint `tweets/lookup`; `process_items` (the only writer of items) reads them
like any page and, through `record_deletions`, marks each item X answered
"Not Found Error" for as deleted, with a tombstone naming the page that proved
it. The content always stays.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection

from council_social.archive import repo

LOOKUP_ENDPOINT = "tweets/lookup"


def not_found_ids(body: bytes) -> list[tuple[str, str]]:
    """(id, detail) of each tweet the lookup answered 'Not Found Error' for."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    errors = doc.get("errors") if isinstance(doc, dict) else None
    out = []
    for e in errors if isinstance(errors, list) else []:
        if (isinstance(e, dict) and e.get("title") == "Not Found Error"
                and e.get("resource_type", "tweet") == "tweet"):
            tid = e.get("resource_id") or e.get("value")
            if tid is not None:
                out.append((str(tid), str(e.get("detail") or "Not Found Error")))
    return out


def record_deletions(conn: Connection, pages) -> list[str]:
    """Mark the items each 2xx lookup page proves deleted (`deleted_at` = its fetch time)
    and keep a tombstone per item and page; returns the ids newly marked. Rerunning
    the same pages changes nothing."""
    marked: list[str] = []
    for page in pages:
        if page.endpoint != LOOKUP_ENDPOINT or not 200 <= page.status < 300:
            continue
        for external_id, detail in not_found_ids(bytes(page.body)):
            if repo.mark_deleted(conn, page.platform, external_id, page.fetched_at):
                marked.append(external_id)
            repo.add_tombstone(conn, page.platform, external_id, page.fetched_at, page.id, detail)
    return marked
