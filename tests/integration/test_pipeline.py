"""ingest_account + process_interval against the X simulator and a real PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.channels.twitter import TwitterConnector
from council_social.pipeline.ingest import ingest_account
from council_social.pipeline.process import process_interval
from tests.conftest import SIM_NOW, snapshot

pytestmark = pytest.mark.postgres

HOUR = timedelta(hours=1)
LOOKBACK = timedelta(hours=24)
ENDPOINTS = ["mentions", "tweets"]
ENDS = [SIM_NOW - HOUR, SIM_NOW]
AUTHOR = {"id": "1700000000000000001", "username": "resident1", "name": "A Resident"}


class Clock:
    """The connector's clock (page fetch times); `on_call` lets a test act between pages."""

    def __init__(self, now=SIM_NOW, on_call=None):
        self.now = now
        self.calls = 0
        self.on_call = on_call

    def __call__(self) -> float:
        self.calls += 1
        if self.on_call is not None:
            self.on_call(self.calls)
        return self.now.timestamp()


def make_connector(config, simulator, *, clock=None, **kw):
    sleeps: list[float] = []
    connector = TwitterConnector(config.simulator.bearer_token, simulator.base_url,
                                 sleep=sleeps.append, clock=clock or Clock(), **kw)
    return connector, sleeps


def ingest(engine, connector, accounts, end, endpoints=ENDPOINTS) -> list[dict]:
    return [
        ingest_account(engine, connector, account, endpoints=list(endpoints),
                       interval_start=end - HOUR, interval_end=end, initial_lookback=LOOKBACK)
        for account in accounts
    ]


def served_ids(simulator, account, endpoint, start, end) -> list[int]:
    uid = account.external_id
    return [
        t.id for t in simulator.model.tweets_between(start, end)
        if (endpoint == "tweets" and t.author_id == uid)
        or (endpoint == "mentions" and uid in t.mentioned_user_ids and t.author_id != uid)
    ]


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def item_ids(engine) -> set[str]:
    return {r.external_id for r in rows(engine, "SELECT external_id FROM social.items")}


def watermark(engine, account_key: str, endpoint: str) -> str | None:
    found = rows(engine, "SELECT since_id FROM social.ingest_watermarks WHERE account_key = :a"
                 " AND endpoint = :e", a=account_key, e=endpoint)
    return found[0].since_id if found else None


def assert_batches_balance(engine) -> list:
    batches = rows(engine, "SELECT * FROM social.process_batches")
    for b in batches:
        assert b.records == b.stored + b.duplicates + b.quarantined, b
    return batches


def hostile_body(records: list, *, next_token: str | None = None, users=None) -> bytes:
    meta: dict = {"result_count": len(records)}
    ids = [r["id"] for r in records if isinstance(r, dict) and str(r.get("id", "")).isdigit()]
    if ids:
        meta["newest_id"] = max(ids, key=int)
    if next_token:
        meta["next_token"] = next_token
    return json.dumps({"data": records, "includes": {"users": [AUTHOR] if users is None else users},
                       "meta": meta}).encode()


def tweet(tweet_id: str, **overrides) -> dict:
    record = {"id": tweet_id, "text": f"@Brent_Council about {tweet_id}",
              "author_id": AUTHOR["id"], "created_at": "2026-11-25T11:30:00.000Z", "lang": "en"}
    record.update(overrides)
    return record


@pytest.fixture
def accounts(config):
    found = config.accounts_for("twitter")
    assert len(found) == 5
    return found


@pytest.fixture
def main_account(config):
    return config.main_account("twitter")


# --------------------------------------------------------------- two clean hours
def run_two_hours(engine, config, connector, accounts):
    for end in ENDS:
        summaries = ingest(engine, connector, accounts, end)
        assert all(s["incomplete"] == [] for s in summaries), summaries
        process_interval(engine, config, end - HOUR, end)


def test_two_hours_store_every_served_tweet(clean_db, config, simulator, accounts):
    connector, sleeps = make_connector(config, simulator)
    run_two_hours(clean_db, config, connector, accounts)

    expected = {str(i) for a in accounts for e in ENDPOINTS
                for i in served_ids(simulator, a, e, ENDS[0] - LOOKBACK, SIM_NOW)}
    assert expected, "the simulator served nothing: the test would prove nothing"
    assert item_ids(clean_db) == expected
    assert rows(clean_db, "SELECT * FROM social.quarantine") == []
    assert sleeps == []


def test_two_hours_move_each_watermark_to_the_newest_id(clean_db, config, simulator, accounts):
    connector, _ = make_connector(config, simulator)
    run_two_hours(clean_db, config, connector, accounts)

    moved = 0
    for a in accounts:
        for e in ENDPOINTS:
            ids = served_ids(simulator, a, e, ENDS[0] - LOOKBACK, SIM_NOW)
            assert watermark(clean_db, a.key, e) == (str(max(ids)) if ids else None)
            moved += bool(ids)
    assert moved >= 5


def test_two_hours_process_batches_account_for_every_record(clean_db, config, simulator,
                                                            accounts):
    connector, _ = make_connector(config, simulator)
    run_two_hours(clean_db, config, connector, accounts)

    batches = assert_batches_balance(clean_db)
    assert len(batches) == 2
    assert sum(b.stored for b in batches) >= len(item_ids(clean_db)) > 0
    for b in batches:
        for account_key, counts in b.counts_by_account.items():
            assert counts["records"] == (counts["stored"] + counts["duplicates"]
                                         + counts["quarantined"]), account_key


def test_rerun_of_ingest_and_process_leaves_the_database_identical(clean_db, config, simulator,
                                                                   accounts):
    connector, _ = make_connector(config, simulator)
    run_two_hours(clean_db, config, connector, accounts)
    before = snapshot(clean_db)
    assert before["items"] and before["raw_pages"]

    rerun, _ = make_connector(config, simulator)
    run_two_hours(clean_db, config, rerun, accounts)

    assert snapshot(clean_db) == before


# ------------------------------------------------------------------- rate limits
def test_429_then_success_lands_all_pages_and_moves_the_watermark(clean_db, config, simulator,
                                                                  main_account):
    connector, sleeps = make_connector(config, simulator)
    simulator.inject_429(count=1, reset_in_seconds=2)

    [summary] = ingest(clean_db, connector, [main_account], SIM_NOW, endpoints=["mentions"])
    process_interval(clean_db, config, SIM_NOW - HOUR, SIM_NOW)

    assert sleeps == [3.0]  # reset in 2 s, +1 s for whole-second resets
    assert summary["incomplete"] == [] and summary["pages"] > 1
    ids = served_ids(simulator, main_account, "mentions", SIM_NOW - LOOKBACK, SIM_NOW)
    assert item_ids(clean_db) == {str(i) for i in ids}
    assert watermark(clean_db, main_account.key, "mentions") == str(max(ids))


def test_far_429_keeps_pages_so_far_and_leaves_the_watermark(clean_db, config, simulator,
                                                             main_account):
    first, _ = make_connector(config, simulator, clock=Clock(ENDS[0]))
    ingest(clean_db, first, [main_account], ENDS[0], endpoints=["mentions"])
    before = watermark(clean_db, main_account.key, "mentions")
    assert before is not None

    def rate_limit_after_two_pages(calls):
        if calls == 2:  # the clock is read once per page landed
            simulator.inject_429(count=1, reset_in_seconds=3600)

    limited, sleeps = make_connector(config, simulator, page_size=5,
                                     clock=Clock(SIM_NOW, rate_limit_after_two_pages))
    [summary] = ingest(clean_db, limited, [main_account], SIM_NOW, endpoints=["mentions"])

    assert summary["incomplete"] == [{"endpoint": "mentions", "reason": "rate_limited"}]
    assert summary["pages"] == 2 and sleeps == []
    assert watermark(clean_db, main_account.key, "mentions") == before
    [fetch] = rows(clean_db, "SELECT * FROM social.ingest_fetches WHERE interval_end = :e",
                   e=SIM_NOW)
    assert not fetch.complete and fetch.newest_id is None and fetch.pages == 2
    landed = rows(clean_db, "SELECT count(*) AS n FROM social.raw_pages WHERE interval_end = :e",
                  e=SIM_NOW)
    assert landed[0].n == 2


def test_next_run_after_far_429_fetches_the_rest_with_nothing_lost(clean_db, config, simulator,
                                                                   main_account):
    first, _ = make_connector(config, simulator, clock=Clock(ENDS[0]))
    ingest(clean_db, first, [main_account], ENDS[0], endpoints=["mentions"])
    process_interval(clean_db, config, ENDS[0] - HOUR, ENDS[0])

    def rate_limit_after_two_pages(calls):
        if calls == 2:
            simulator.inject_429(count=1, reset_in_seconds=3600)

    limited, _ = make_connector(config, simulator, page_size=5,
                                clock=Clock(SIM_NOW, rate_limit_after_two_pages))
    ingest(clean_db, limited, [main_account], SIM_NOW, endpoints=["mentions"])
    process_interval(clean_db, config, SIM_NOW - HOUR, SIM_NOW)

    later = SIM_NOW + HOUR
    simulator.set_now(later)
    recovered, _ = make_connector(config, simulator, page_size=5, clock=Clock(later))
    [summary] = ingest(clean_db, recovered, [main_account], later, endpoints=["mentions"])
    process_interval(clean_db, config, SIM_NOW, later)

    assert summary["incomplete"] == []
    ids = served_ids(simulator, main_account, "mentions", ENDS[0] - LOOKBACK, later)
    assert item_ids(clean_db) == {str(i) for i in ids}
    assert watermark(clean_db, main_account.key, "mentions") == str(max(ids))
    assert_batches_balance(clean_db)


def test_a_first_fetch_cut_short_is_resumed_from_its_own_start(clean_db, config, simulator,
                                                               main_account):
    # No watermark yet, and the first run stops early: the next run must reach back to
    # the first window's start, or the oldest tweets of that window are never fetched.
    def rate_limit_after_two_pages(calls):
        if calls == 2:
            simulator.inject_429(count=1, reset_in_seconds=3600)

    limited, _ = make_connector(config, simulator, page_size=5,
                                clock=Clock(ENDS[0], rate_limit_after_two_pages))
    [cut] = ingest(clean_db, limited, [main_account], ENDS[0], endpoints=["mentions"])
    assert cut["incomplete"] and watermark(clean_db, main_account.key, "mentions") is None

    resumed, _ = make_connector(config, simulator, clock=Clock(SIM_NOW))
    [summary] = ingest(clean_db, resumed, [main_account], SIM_NOW, endpoints=["mentions"])
    assert summary["incomplete"] == []
    for end in ENDS:
        process_interval(clean_db, config, end - HOUR, end)
    ids = served_ids(simulator, main_account, "mentions", ENDS[0] - LOOKBACK, SIM_NOW)
    assert item_ids(clean_db) == {str(i) for i in ids}


# ---------------------------------------------------------------- hostile pages
HTML = "<script>alert(1)</script><b onmouseover=alert(2)>hi</b>"
EMOJI_5KB = "\U0001f4a9" * 1300


@pytest.fixture
def hostile_interval(clean_db, config, simulator, main_account):
    """Three hostile pages served once on the mentions path, then processed."""
    prefix = f"/2/users/{main_account.external_id}/mentions"
    page_1 = [
        tweet("9000000000000000001"),
        tweet("9000000000000000002", text=HTML),
        tweet("9000000000000000003", text=EMOJI_5KB),
        tweet("9000000000000000004", author_id="404"),
        tweet("9000000000000000005", created_at="last Tuesday"),
        tweet("9000000000000000006", text="said once"),
    ]
    page_2 = [
        tweet("9000000000000000006", text="said once"),  # identical: a duplicate
        tweet("9000000000000000001", text="same id, other words"),  # conflicting
        tweet("9000000000000000007", created_at="2026-11-25T18:00:00.000Z"),  # future
    ]
    simulator.serve_raw_once(prefix, 200, hostile_body(page_1, next_token="p2"))
    simulator.serve_raw_once(prefix, 200, hostile_body(page_2, next_token="p3"))
    simulator.serve_raw_once(prefix, 200, json.dumps(
        {"includes": {"users": [AUTHOR]}, "meta": {"result_count": 4}}).encode())
    connector, _ = make_connector(config, simulator)
    [summary] = ingest(clean_db, connector, [main_account], SIM_NOW, endpoints=["mentions"])
    batch = process_interval(clean_db, config, SIM_NOW - HOUR, SIM_NOW)
    return summary, batch


def quarantine_codes(engine) -> dict:
    return {
        (r.external_id, r.record_index): sorted(reason["code"] for reason in r.reasons)
        for r in rows(engine, "SELECT external_id, record_index, reasons FROM social.quarantine")
    }


def test_hostile_pages_end_in_quarantine_with_reason_codes(clean_db, hostile_interval):
    codes = quarantine_codes(clean_db)
    assert codes == {
        ("9000000000000000003", 2): ["text_too_long"],
        ("9000000000000000004", 3): ["author_unresolved"],
        ("9000000000000000005", 4): ["created_at_unreadable"],
        ("9000000000000000001", 1): ["id_duplicate"],
        ("9000000000000000007", 2): ["created_at_in_future"],
        (None, -1): ["page_unreadable"],
    }


def test_hostile_pages_keep_html_verbatim_and_the_first_of_a_conflict(clean_db,
                                                                      hostile_interval):
    stored = dict(rows(clean_db, "SELECT external_id, text FROM social.items"))
    assert stored == {
        "9000000000000000001": "@Brent_Council about 9000000000000000001",
        "9000000000000000002": HTML,
        "9000000000000000006": "said once",
    }


def test_hostile_pages_account_for_every_record(clean_db, hostile_interval):
    _, batch = hostile_interval
    assert batch["records"] == 9
    assert (batch["stored"], batch["duplicates"], batch["quarantined"]) == (3, 1, 5)
    assert batch["page_problems"] == 1
    item_rows = rows(clean_db, "SELECT count(*) AS n FROM social.quarantine"
                     " WHERE record_index >= 0")[0].n
    assert len(item_ids(clean_db)) + item_rows + batch["duplicates"] == batch["records"]
    assert_batches_balance(clean_db)


def test_missing_optional_fields_are_stored_as_null_not_empty_strings(clean_db,
                                                                     hostile_interval):
    [author] = rows(clean_db, "SELECT verified, followers_count, location, description"
                    " FROM social.authors WHERE external_id = :i", i=AUTHOR["id"])
    assert tuple(author) == (None, None, None, None)
    [item] = rows(clean_db, "SELECT in_reply_to_external_id, conversation_id, url"
                  " FROM social.items WHERE external_id = '9000000000000000006'")
    assert tuple(item) == (None, None, "https://x.com/resident1/status/9000000000000000006")


def test_empty_strings_stay_empty_strings(clean_db, config, simulator, main_account):
    user = {**AUTHOR, "description": "", "location": ""}
    simulator.serve_raw_once(f"/2/users/{main_account.external_id}/mentions", 200,
                             hostile_body([tweet("9200000000000000001")], users=[user]))
    connector, _ = make_connector(config, simulator)
    ingest(clean_db, connector, [main_account], SIM_NOW, endpoints=["mentions"])
    process_interval(clean_db, config, SIM_NOW - HOUR, SIM_NOW)

    [author] = rows(clean_db, "SELECT description, location FROM social.authors"
                    " WHERE external_id = :i", i=AUTHOR["id"])
    assert tuple(author) == ("", "")


def test_a_bad_page_stops_the_fetch_and_holds_the_watermark(clean_db, hostile_interval,
                                                            main_account):
    summary, _ = hostile_interval
    assert summary["pages"] == 3
    assert summary["incomplete"][0]["reason"].startswith("bad_page")
    assert watermark(clean_db, main_account.key, "mentions") is None


# ------------------------------------------------------------------ edits
EDITED_ID = "9100000000000000001"


def serve_version(engine, config, simulator, main_account, end, words):
    prefix = f"/2/users/{main_account.external_id}/mentions"
    simulator.serve_raw_once(prefix, 200, hostile_body(
        [tweet(EDITED_ID, text=words, created_at="2026-11-25T10:30:00.000Z")]))
    connector, _ = make_connector(config, simulator, clock=Clock(end))
    ingest(engine, connector, [main_account], end, endpoints=["mentions"])


@pytest.fixture
def edited_item(clean_db, config, simulator, main_account):
    serve_version(clean_db, config, simulator, main_account, ENDS[0], "bins not collected")
    process_interval(clean_db, config, ENDS[0] - HOUR, ENDS[0])
    serve_version(clean_db, config, simulator, main_account, ENDS[1],
                  "bins not collected (edit: collected now, thanks)")
    process_interval(clean_db, config, ENDS[1] - HOUR, ENDS[1])
    return clean_db


def versions(engine) -> list[tuple[int, str]]:
    return [tuple(r) for r in rows(
        engine, "SELECT version, text FROM social.item_versions WHERE external_id = :i"
        " ORDER BY version", i=EDITED_ID)]


def current(engine) -> tuple:
    return tuple(rows(engine, "SELECT version, text FROM social.items WHERE external_id = :i",
                      i=EDITED_ID)[0])


def test_edited_text_adds_version_2_and_keeps_version_1(edited_item):
    assert versions(edited_item) == [
        (1, "bins not collected"),
        (2, "bins not collected (edit: collected now, thanks)"),
    ]


def test_edited_text_becomes_the_current_item_text(edited_item):
    assert current(edited_item) == (2, "bins not collected (edit: collected now, thanks)")


def test_reprocessing_an_older_interval_does_not_roll_the_item_back(edited_item, config):
    before = snapshot(edited_item)

    process_interval(edited_item, config, ENDS[0] - HOUR, ENDS[0])

    assert current(edited_item) == (2, "bins not collected (edit: collected now, thanks)")
    assert snapshot(edited_item)["item_versions"] == before["item_versions"]
    assert snapshot(edited_item)["items"] == before["items"]


def test_a_recheck_that_finds_every_post_deleted_is_not_a_page_problem(clean_db, config):
    # The archive's re-check lands lookups like any page; "all deleted" is news, not a fault.
    body = json.dumps({"errors": [{"value": "1", "detail": "Could not find tweet with ids: [1].",
                                   "title": "Not Found Error", "resource_type": "tweet",
                                   "parameter": "ids", "resource_id": "1",
                                   "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
    with clean_db.begin() as conn:
        conn.execute(text(
            "INSERT INTO social.raw_pages (platform, account_key, endpoint, request_url,"
            " request_params, interval_start, interval_end, page_number, fetched_at, status,"
            " headers, body, sha256) VALUES ('twitter', 'brent-council', 'tweets/lookup',"
            " 'http://127.0.0.1/2/tweets?ids=1', '{}', :s, :e, 0, :e, 200, '{}', :b, 'x')"
        ), {"s": SIM_NOW - HOUR, "e": SIM_NOW, "b": body.encode()})
    row = process_interval(clean_db, config, SIM_NOW - HOUR, SIM_NOW)
    assert row["page_problems"] == 0 and row["records"] == 0
    assert rows(clean_db, "SELECT count(*) AS n FROM social.quarantine")[0].n == 0
