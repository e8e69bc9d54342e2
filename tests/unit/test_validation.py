"""The GX item suite and batch accounting (`evaluate`) on hand-made X pages; no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from council_social.channels.twitter import parse_twitter_page
from council_social.items import ItemRecord, ParsedPage
from council_social.pipeline.process import limits_from
from council_social.validation.batch import AccountingError, PageRef, QuarantineRow, evaluate

FETCHED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTHOR = {"id": "2244994945", "username": "resident1", "name": "A Resident"}
EMOJI_5KB = "\U0001f600" * 1300  # 4 bytes each in UTF-8: 5200 bytes


@pytest.fixture(scope="module")
def limits(config):
    return limits_from(config)


def tweet(tweet_id: str, **overrides) -> dict:
    record = {
        "id": tweet_id, "text": f"@Brent_Council tweet {tweet_id}", "author_id": AUTHOR["id"],
        "created_at": "2026-11-25T11:30:00.000Z", "lang": "en",
    }
    record.update(overrides)
    return record


def page(records: list, *, page_id: int = 1, fetched: datetime = FETCHED,
         users: list | None = None) -> tuple[PageRef, ParsedPage]:
    body = json.dumps({
        "data": records,
        "includes": {"users": [AUTHOR] if users is None else users},
        "meta": {"result_count": len(records)},
    }).encode()
    return PageRef(page_id, "twitter", "brent-council", fetched), parse_twitter_page(body)


def codes(outcome) -> dict:
    """external_id (or record_index for id-less records) -> reason codes of item rows."""
    return {
        (q.external_id or q.record_index): [r["code"] for r in q.reasons]
        for q in outcome.quarantined if q.record_index >= 0
    }


def accounted(outcome) -> bool:
    item_rows = sum(1 for q in outcome.quarantined if q.record_index >= 0)
    return outcome.records == len(outcome.accepted) + outcome.duplicates + item_rows


def test_good_page_is_all_accepted(limits):
    outcome = evaluate([page([tweet("101"), tweet("102"), tweet("103")])], limits)
    assert [a.item.external_id for a in outcome.accepted] == ["101", "102", "103"]
    assert outcome.quarantined == [] and outcome.duplicates == 0
    assert outcome.records == 3
    assert outcome.by_account["brent-council"] == {
        "records": 3, "stored": 3, "duplicates": 0, "quarantined": 0}


def test_missing_data_gives_one_page_level_quarantine_row(limits):
    body = json.dumps({"includes": {"users": [AUTHOR]}, "meta": {"result_count": 3}}).encode()
    parsed = parse_twitter_page(body)
    outcome = evaluate([(PageRef(1, "twitter", "brent-council", FETCHED), parsed)], limits)
    assert len(outcome.quarantined) == 1
    row = outcome.quarantined[0]
    assert row.record_index == -1 and row.external_id is None
    assert [r["code"] for r in row.reasons] == ["page_unreadable"]
    assert "result_count is 3" in row.reasons[0]["message"]
    assert outcome.page_problems == 1
    assert outcome.records == 0 and outcome.accepted == [] and accounted(outcome)


def test_unreadable_created_at_is_quarantined(limits):
    outcome = evaluate([page([tweet("101", created_at="yesterday teatime")])], limits)
    assert codes(outcome) == {"101": ["created_at_unreadable"]}
    assert outcome.accepted == []


def test_created_at_after_fetch_time_is_quarantined(limits):
    later = (FETCHED + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    outcome = evaluate([page([tweet("101", created_at=later)])], limits)
    assert codes(outcome) == {"101": ["created_at_in_future"]}


def test_created_at_within_clock_skew_is_accepted(limits):
    slightly_later = (FETCHED + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    outcome = evaluate([page([tweet("101", created_at=slightly_later)])], limits)
    assert [a.item.external_id for a in outcome.accepted] == ["101"]


def test_identical_id_on_two_pages_is_accepted_once_and_counted_duplicate(limits):
    first = page([tweet("101"), tweet("102")], page_id=1)
    second = page([tweet("102"), tweet("103")], page_id=2, fetched=FETCHED + timedelta(seconds=1))
    outcome = evaluate([first, second], limits)
    assert [a.item.external_id for a in outcome.accepted] == ["101", "102", "103"]
    assert outcome.duplicates == 1 and outcome.quarantined == []
    assert outcome.records == 4


def test_same_id_with_different_text_later_is_quarantined_as_id_duplicate(limits):
    first = page([tweet("101", text="original")], page_id=1)
    second = page([tweet("101", text="changed")], page_id=2, fetched=FETCHED + timedelta(seconds=1))
    outcome = evaluate([second, first], limits)  # order given does not matter: fetch time does
    assert [(a.item.external_id, a.item.text) for a in outcome.accepted] == [("101", "original")]
    [row] = outcome.quarantined
    assert row.page.raw_page_id == 2 and row.external_id == "101"
    assert [r["code"] for r in row.reasons] == ["id_duplicate"]
    assert outcome.duplicates == 0


def test_html_and_script_text_is_accepted_verbatim(limits):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> & \'quotes\''
    outcome = evaluate([page([tweet("101", text=hostile)])], limits)
    assert [a.item.text for a in outcome.accepted] == [hostile]


def test_five_kilobytes_of_emoji_is_text_too_long(limits):
    outcome = evaluate([page([tweet("101", text=EMOJI_5KB)])], limits)
    assert codes(outcome) == {"101": ["text_too_long"]}


def test_text_at_the_byte_limit_is_accepted(limits):
    text = "a" * limits.text_max_bytes
    outcome = evaluate([page([tweet("101", text=text)])], limits)
    assert len(outcome.accepted) == 1


def test_author_missing_from_includes_is_author_unresolved(limits):
    outcome = evaluate([page([tweet("101", author_id="999")])], limits)
    assert codes(outcome) == {"101": ["author_unresolved"]}


def test_nul_in_text_is_text_unstorable(limits):
    outcome = evaluate([page([tweet("101", text="before\x00after")])], limits)
    assert codes(outcome) == {"101": ["text_unstorable"]}


def test_lone_surrogate_in_text_is_text_unstorable_not_a_crash(limits):
    body = (b'{"data":[{"id":"101","text":"broken \\ud83d pair","author_id":"2244994945",'
            b'"created_at":"2026-11-25T11:30:00.000Z","lang":"en"}],'
            b'"includes":{"users":[{"id":"2244994945","username":"r","name":"R"}]},'
            b'"meta":{"result_count":1}}')
    parsed = parse_twitter_page(body)
    outcome = evaluate([(PageRef(1, "twitter", "brent-council", FETCHED), parsed)], limits)
    assert codes(outcome) == {"101": ["text_unstorable"]}


def test_bad_lang_code_is_lang_invalid(limits):
    outcome = evaluate([page([tweet("101", lang="English!")])], limits)
    assert codes(outcome) == {"101": ["lang_invalid"]}


@pytest.mark.parametrize("record", [42, "a string", None, ["a", "list"]])
def test_non_object_record_is_record_not_object(limits, record):
    outcome = evaluate([page([tweet("101"), record])], limits)
    assert [a.item.external_id for a in outcome.accepted] == ["101"]
    assert "record_not_object" in codes(outcome)[1]
    assert outcome.quarantined[0].record == {"value": record}


def test_object_record_is_not_flagged_record_not_object(limits):
    outcome = evaluate([page([tweet("101", created_at="bad")])], limits)
    assert "record_not_object" not in codes(outcome)["101"]


def test_record_with_several_faults_carries_all_reasons(limits):
    record = tweet("101", created_at="not a date", author_id="999", lang="??",
                   text="x\x00" + EMOJI_5KB)
    outcome = evaluate([page([record])], limits)
    assert sorted(codes(outcome)["101"]) == sorted([
        "text_too_long", "text_unstorable", "created_at_unreadable", "author_unresolved",
        "lang_invalid",
    ])
    reason = outcome.quarantined[0].reasons[0]
    assert set(reason) == {"code", "message", "expectation", "column"}


def test_accounting_holds_for_a_mixed_batch(limits):
    first = page([tweet("101"), tweet("102", lang="!!"), 7, tweet("103")], page_id=1)
    second = page([tweet("101"), tweet("103", text="edited"), tweet("104", author_id="9")],
                  page_id=2, fetched=FETCHED + timedelta(minutes=1))
    body = json.dumps({"meta": {"result_count": 5}}).encode()
    broken = (PageRef(3, "twitter", "brent-culture", FETCHED), parse_twitter_page(body))
    outcome = evaluate([first, second, broken], limits)
    assert outcome.records == 7
    assert len(outcome.accepted) == 2 and outcome.duplicates == 1
    assert sum(1 for q in outcome.quarantined if q.record_index >= 0) == 4
    assert outcome.page_problems == 1
    assert accounted(outcome)
    counts = outcome.by_account["brent-council"]
    assert counts["records"] == counts["stored"] + counts["duplicates"] + counts["quarantined"]


def test_empty_batch_accounts_to_zero(limits):
    outcome = evaluate([], limits)
    assert outcome.records == 0 and outcome.accepted == [] and outcome.quarantined == []


@pytest.mark.parametrize("tamper", ["drop_accepted", "inflate_records", "uncount_duplicate"])
def test_check_accounting_raises_when_tampered_with(limits, tamper):
    outcome = evaluate([page([tweet("101"), tweet("101"), tweet("102", lang="!")])], limits)
    outcome.check_accounting()  # balanced as evaluated
    if tamper == "drop_accepted":
        outcome.accepted.pop()
    elif tamper == "inflate_records":
        outcome.records += 1
    else:
        outcome.duplicates -= 1
    with pytest.raises(AccountingError, match="records read"):
        outcome.check_accounting()


def test_page_level_rows_do_not_count_towards_item_accounting(limits):
    outcome = evaluate([page([tweet("101")])], limits)
    outcome.quarantined.append(
        QuarantineRow(PageRef(9, "twitter", "brent-council", FETCHED), -1, None, [], None))
    outcome.check_accounting()  # a page-level row is not a record: still balanced
    outcome.quarantined.append(
        QuarantineRow(PageRef(9, "twitter", "brent-council", FETCHED), 0, None, [], None))
    with pytest.raises(AccountingError):
        outcome.check_accounting()


def test_hand_built_item_without_raw_is_record_not_object(limits):
    ref = PageRef(1, "twitter", "brent-council", FETCHED)
    parsed = ParsedPage(items=[ItemRecord(platform="twitter", external_id=None, record_index=0)])
    outcome = evaluate([(ref, parsed)], limits)
    assert "record_not_object" in codes(outcome)[0]


_GX_LOG_SCRIPT = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
if sys.argv[1] == "suite":
    from council_social.validation import suite
    suite._context()
else:
    import great_expectations  # noqa: F401
logging.getLogger("council_social.test").info("suite ready")
"""


@pytest.mark.parametrize("how, noisy", [("suite", False), ("bare", True)])
def test_gx_registration_noise_stays_out_of_logs_when_validation_sets_up_gx(how, noisy):
    # A fresh interpreter: GX logs the noise once, when it is first imported.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _GX_LOG_SCRIPT, how], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ("Skipping registering function" in done.stderr) is noisy
    assert "suite ready" in done.stderr


@pytest.mark.parametrize("username", ["javascript:alert(1)//", "a b", "<b>x</b>", "x" * 21, ""])
def test_a_malformed_x_handle_is_quarantined_with_its_reason(limits, username):
    hostile = {"id": "777", "username": username, "name": "Someone"}
    outcome = evaluate([page([tweet("101"), tweet("102", author_id="777")],
                             users=[AUTHOR, hostile])], limits)
    assert codes(outcome) == {"102": ["author_handle_malformed"]}
    reason = outcome.quarantined[0].reasons[0]
    assert "handle" in reason["message"] and reason["column"] == "author_username"
    assert [a.item.external_id for a in outcome.accepted] == ["101"] and accounted(outcome)


def test_an_author_without_a_handle_is_not_a_handle_problem(limits):
    outcome = evaluate([page([tweet("101", author_id="777")],
                             users=[{"id": "777", "name": "No Handle"}])], limits)
    assert codes(outcome) == {} and len(outcome.accepted) == 1
