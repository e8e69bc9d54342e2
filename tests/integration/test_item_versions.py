"""The pipeline's version numbering (store/items_repo.merge_staged_items, real PostgreSQL):
every distinct text of an item is a numbered version, the newest is the item's current row,
and a number taken by a concurrent run is given out again in the next round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from council_social.items import ItemRecord
from council_social.store import items_repo
from council_social.store.tables import raw_pages
from council_social.validation.batch import AcceptedItem, PageRef, content_sha256

pytestmark = pytest.mark.postgres

FETCHED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def land_page(engine, fetched_at=FETCHED) -> PageRef:
    with engine.begin() as conn:
        page_id = conn.execute(insert(raw_pages).values(
            platform="twitter", account_key="brent-council", endpoint="mentions",
            request_url="https://api.x.com/2/mentions", request_params={},
            interval_start=fetched_at, interval_end=fetched_at, page_number=0,
            fetched_at=fetched_at, status=200, headers={}, body=b"{}", sha256="0" * 64,
        ).returning(raw_pages.c.id)).scalar_one()
    return PageRef(page_id, "twitter", "brent-council", fetched_at)


def accepted(page, external_id, words) -> AcceptedItem:
    item = ItemRecord("twitter", external_id, 0, text=words, created_at=FETCHED)
    return AcceptedItem(page, item, content_sha256(item))


def store(engine, *items, conn_wrapper=None, **merge):
    with engine.begin() as conn:
        items_repo.stage_items(conn, list(items))
        items_repo.merge_staged_items(conn_wrapper(conn) if conn_wrapper else conn, **merge)
        items_repo.drop_stage(conn)


def versions(engine, external_id) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT version, text FROM social.item_versions WHERE external_id = :i"
            " ORDER BY version"), {"i": external_id})]


def current(engine, external_id) -> tuple[int, str]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT version, text FROM social.items WHERE external_id = :i"),
            {"i": external_id}).one())


def test_each_distinct_text_is_the_next_version_and_the_newest_is_current(clean_db):
    first = land_page(clean_db)
    store(clean_db, accepted(first, "1", "bins not collected"))
    assert versions(clean_db, "1") == [(1, "bins not collected")]
    assert current(clean_db, "1") == (1, "bins not collected")

    later = land_page(clean_db, FETCHED + timedelta(hours=1))
    store(clean_db, accepted(later, "1", "bins collected"), accepted(later, "2", "new post"))
    store(clean_db, accepted(land_page(clean_db, FETCHED + timedelta(hours=2)), "1", "thanks"))
    assert versions(clean_db, "1") == [(1, "bins not collected"), (2, "bins collected"),
                                       (3, "thanks")]
    assert current(clean_db, "1") == (3, "thanks")
    # Each item has its own numbers.
    assert versions(clean_db, "2") == [(1, "new post")]
    assert current(clean_db, "2") == (1, "new post")


def test_the_same_text_again_is_no_new_version(clean_db):
    page = land_page(clean_db)
    store(clean_db, accepted(page, "1", "bins not collected"))
    store(clean_db, accepted(land_page(clean_db, FETCHED + timedelta(hours=1)), "1",
                             "bins not collected"))
    assert versions(clean_db, "1") == [(1, "bins not collected")]
    assert current(clean_db, "1") == (1, "bins not collected")


class RivalRun:
    """A connection on which, `races` times, another run stores a different text of every
    staged item just after this run has numbered its versions (as a concurrent
    process_interval can), taking the numbers this run chose."""

    def __init__(self, races: int):
        self.races = races
        self.rounds = 0

    def __call__(self, conn):
        self.conn = conn
        return self

    def exec_driver_sql(self, statement, *args, **kwargs):
        result = self.conn.exec_driver_sql(statement, *args, **kwargs)
        if statement.startswith("CREATE TEMP TABLE stage_versions"):
            self.rounds += 1
            if self.races:
                self.races -= 1
                self.conn.exec_driver_sql(
                    "INSERT INTO social.item_versions (platform, external_id, version,"
                    " content_sha256, text, observed_at, raw_page_id)"
                    " SELECT platform, external_id, version, lpad(%(r)s, 64, 'e'),"
                    " 'rival ' || %(r)s, observed_at, raw_page_id FROM stage_versions",
                    {"r": str(self.rounds)})
        return result

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_a_number_taken_by_a_concurrent_run_is_given_out_again(clean_db):
    page = land_page(clean_db)
    rival = RivalRun(races=2)
    store(clean_db, accepted(page, "1", "bins not collected"), conn_wrapper=rival)
    assert rival.rounds == 3
    assert versions(clean_db, "1") == [(1, "rival 1"), (2, "rival 2"), (3, "bins not collected")]
    assert current(clean_db, "1") == (3, "bins not collected")


@pytest.mark.parametrize(("rounds", "given"), [(None, 5), (2, 2)])
def test_contention_that_never_ends_fails_after_the_rounds(clean_db, rounds, given):
    page = land_page(clean_db)
    rival = RivalRun(races=10)
    merge = {} if rounds is None else {"max_rounds": rounds}
    with pytest.raises(RuntimeError, match=f"still contended after {given} rounds"):
        store(clean_db, accepted(page, "1", "bins not collected"), conn_wrapper=rival, **merge)
    assert rival.rounds == given
    assert versions(clean_db, "1") == []  # the transaction rolled back: nothing half-written


def test_a_batch_with_nothing_new_stores_nothing(clean_db):
    store(clean_db)
    assert versions(clean_db, "1") == []
