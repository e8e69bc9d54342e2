"""Items staged through COPY's text format come back exactly as given (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from council_social.items import ItemRecord
from council_social.store import items_repo
from council_social.store.tables import raw_pages
from council_social.validation.batch import AcceptedItem, BatchOutcome, PageRef, content_sha256

pytestmark = pytest.mark.postgres

FETCHED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TEXTS = {
    "1": "back\\slash, \\N and \\t spelled out",
    "2": "tab\there, new\nline, carriage\rreturn",
    "3": "",
    "4": "comma, \"quote\", 'apostrophe' and ünïcödé 😀",
}


def land_page(engine) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(raw_pages).values(
            platform="twitter", account_key="brent-council", endpoint="mentions",
            request_url="https://api.x.com/2/mentions", request_params={},
            interval_start=FETCHED, interval_end=FETCHED, page_number=0, fetched_at=FETCHED,
            status=200, headers={}, body=b"{}", sha256="0" * 64,
        ).returning(raw_pages.c.id)).scalar_one()


def test_hostile_text_empty_strings_and_nulls_round_trip(clean_db):
    page = PageRef(land_page(clean_db), "twitter", "brent-council", FETCHED)
    outcome = BatchOutcome()
    for external_id, body in TEXTS.items():
        item = ItemRecord("twitter", external_id, 0, text=body, created_at=FETCHED,
                          lang="" if external_id == "3" else None,
                          url="https://x.com/a\\b\tc" if external_id == "1" else None,
                          metrics={"like_count": 1, "note\\\t": 2})
        outcome.accepted.append(AcceptedItem(page, item, content_sha256(item)))
    with clean_db.begin() as conn:
        items_repo.write_items(conn, outcome)
    with clean_db.connect() as conn:
        stored = {r.external_id: r for r in conn.execute(text(
            "SELECT external_id, text, lang, url, metrics, author_external_id, version"
            " FROM social.items"))}
    assert {k: r.text for k, r in stored.items()} == TEXTS
    assert stored["3"].lang == "" and stored["2"].lang is None
    assert stored["1"].url == "https://x.com/a\\b\tc" and stored["2"].url is None
    assert stored["1"].metrics == {"like_count": 1, "note\\\t": 2}
    assert all(r.author_external_id is None and r.version == 1 for r in stored.values())


def test_nul_and_broken_utf16_are_stored_replaced_not_refused(clean_db):
    # Validation quarantines such texts; a metric key or url can still carry them.
    page = PageRef(land_page(clean_db), "twitter", "brent-council", FETCHED)
    item = ItemRecord("twitter", "5", 0, text="fine", created_at=FETCHED,
                      url="https://x.com/\x00\ud800")
    outcome = BatchOutcome(accepted=[AcceptedItem(page, item, content_sha256(item))])
    with clean_db.begin() as conn:
        items_repo.write_items(conn, outcome)
    with clean_db.connect() as conn:
        url = conn.execute(text("SELECT url FROM social.items")).scalar_one()
    assert url == "https://x.com/\ufffd?"
