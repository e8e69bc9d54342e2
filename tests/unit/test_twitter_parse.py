"""parse_twitter_page against real X API v2 bodies and hostile ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from council_social.channels.twitter import parse_twitter_page

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "platform-samples"
TWITTER = SAMPLES / "twitter"
TWEET_PAGES = [
    "searches_search_tweets_for_nyc.json", "searches_search_tweets_query.json",
    "timeline_timeline_mentions.json", "timeline_timeline_tweets.json",
    "tweet_tweet_quote_tweets_resp.json", "tweet_tweet_resp.json", "tweet_tweets_resp.json",
]


def _sample(name: str) -> bytes:
    path = TWITTER / name
    if not path.exists():
        pytest.skip(f"real X samples not found at {TWITTER} (shared data not mounted)")
    return path.read_bytes()


@pytest.mark.parametrize("name", TWEET_PAGES)
def test_every_tweet_sample_parses_completely(name):
    body = _sample(name)
    doc = json.loads(body)
    data = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
    page = parse_twitter_page(body)

    assert page.problem is None
    assert [i.external_id for i in page.items] == [t["id"] for t in data]
    assert [i.record_index for i in page.items] == list(range(len(data)))
    users = doc.get("includes", {}).get("users", [])
    assert set(page.authors) == {u["id"] for u in users}
    for item, t in zip(page.items, data, strict=True):
        assert item.raw == t
        assert item.text == t["text"]
        assert item.author_external_id == t.get("author_id")
        assert item.created_at_raw == t.get("created_at")
        if "created_at" in t:
            assert item.created_at == datetime.fromisoformat(
                t["created_at"].replace("Z", "+00:00"))
            assert item.created_at.tzinfo is not None
            assert item.created_at.utcoffset().total_seconds() == 0
    assert page.result_count == doc.get("meta", {}).get("result_count")
    assert page.next_token == doc.get("meta", {}).get("next_token")


def test_search_sample_kinds_replies_and_reposts():
    page = parse_twitter_page(_sample("searches_search_tweets_for_nyc.json"))
    first, second, third = page.items[:3]
    assert first.kind == "repost"
    assert second.kind == "reply"
    assert second.in_reply_to_external_id == "1275781448855891968"
    assert second.in_reply_to_author_id == "13524182"
    assert third.kind == "post" and third.in_reply_to_external_id is None
    assert first.created_at == datetime(2020, 6, 24, 17, 19, 7, tzinfo=UTC)
    assert first.lang == "en"
    assert page.newest_id == "1275840892285399041"


def test_timeline_sample_metrics_renamed_and_no_author():
    page = parse_twitter_page(_sample("timeline_timeline_tweets.json"))
    first = page.items[0]
    assert first.metrics == {"repost_count": 10, "reply_count": 2, "like_count": 37,
                             "quote_count": 1}
    # No expansions in this response: no author, so no url can be built.
    assert first.author_external_id is None and first.url is None
    assert page.authors == {}


def test_authors_and_urls_from_includes():
    page = parse_twitter_page(_sample("tweet_tweets_resp.json"))
    dev = page.authors["2244994945"]
    assert dev.username == "TwitterDev" and dev.display_name == "Twitter Dev"
    assert dev.verified is True and dev.platform == "twitter"
    assert page.items[0].url == "https://x.com/TwitterDev/status/1261326399320715264"
    assert page.items[1].url == "https://x.com/Twitter/status/1278347468690915330"


def test_quote_tweets_sample_conversation_and_authors():
    page = parse_twitter_page(_sample("tweet_tweet_quote_tweets_resp.json"))
    assert len(page.items) == 15 and len(page.authors) == 14
    assert page.items[0].conversation_id == "1495979553889697792"
    assert page.items[0].created_at == datetime(2022, 2, 22, 4, 31, 34, tzinfo=UTC)


def test_single_tweet_lookup_is_one_item():
    page = parse_twitter_page(_sample("tweet_tweet_resp.json"))
    assert len(page.items) == 1
    assert page.items[0].external_id == "1067094924124872705"
    assert page.items[0].created_at is None and page.items[0].created_at_raw is None


def test_user_profile_authors_parse():
    # A user lookup body is not a tweet page; its public_metrics still map
    # onto AuthorRecord fields when the same object appears in includes.users.
    doc = json.loads(_sample("user_users_resp.json"))
    body = json.dumps({"data": [], "includes": {"users": doc["data"]},
                       "meta": {"result_count": 0}}).encode()
    page = parse_twitter_page(body)
    tw = page.authors["783214"]
    assert tw.followers_count == 58677711 and tw.following_count == 9
    assert tw.post_count == 13944 and tw.listed_count == 87244
    assert tw.location == "everywhere" and tw.url == "https://t.co/TAXQpsHa5X"
    assert tw.created_at == datetime(2007, 2, 20, 14, 35, 54, tzinfo=UTC)
    assert tw.description == "What's happening!?"


def test_expansions_only_body_is_a_problem():
    page = parse_twitter_page(_sample("models_expansions.json"))
    assert page.problem is not None and page.items == []


# ------------------------------------------------------------------ hostile
@pytest.mark.parametrize("body, fragment", [
    (b"<html><body>502 Bad Gateway</body></html>", "not JSON"),
    (b"", "not JSON"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"[1, 2, 3]", "top level"),
    (b'"just a string"', "top level"),
    (b'{"meta": {"result_count": 3}}', "result_count is 3"),
    (b'{"data": "nope", "meta": {"result_count": 1}}', "data is a JSON str"),
    (b'{"data": null}', "data is a JSON NoneType"),
    (b'{"errors": [{"title": "Not Found Error", "detail": "Could not find user with id: '
     b'[1]."}]}', "Could not find user"),
    (b'{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank",'
     b'"status":429}', "Too Many Requests"),
])
def test_hostile_bodies_set_problem(body, fragment):
    page = parse_twitter_page(body, account_key="brent_main")
    assert page.problem is not None
    assert fragment in page.problem
    assert "\n" not in page.problem  # one line for the quarantine table


def test_empty_result_is_not_a_problem():
    page = parse_twitter_page(b'{"meta":{"result_count":0}}')
    assert page.problem is None and page.items == [] and page.result_count == 0


def test_partial_errors_with_data_are_not_a_problem():
    body = json.dumps({"data": [{"id": "1", "text": "hi"}],
                       "errors": [{"detail": "one tweet was deleted"}]}).encode()
    page = parse_twitter_page(body)
    assert page.problem is None and [i.external_id for i in page.items] == ["1"]


def test_non_object_records_are_kept_without_id():
    body = json.dumps({"data": [{"id": "10", "text": "ok"}, 42, None, ["x"]],
                       "meta": {"result_count": 4}}).encode()
    page = parse_twitter_page(body)
    assert page.problem is None
    assert [i.external_id for i in page.items] == ["10", None, None, None]
    assert [i.record_index for i in page.items] == [0, 1, 2, 3]
    assert page.items[1].raw == {"value": 42}


@pytest.mark.parametrize("raw", ["yesterday", "2024-13-45T99:00:00Z", "2024-05-01T10:00:00"])
def test_bad_dates_keep_raw_and_null_created_at(raw):
    body = json.dumps({"data": [{"id": "1", "text": "x", "created_at": raw}]}).encode()
    item = parse_twitter_page(body).items[0]
    assert item.created_at is None and item.created_at_raw == raw


def test_non_string_date_and_bad_id_types():
    body = json.dumps({"data": [{"id": True, "text": 5, "created_at": 1700000000}]}).encode()
    item = parse_twitter_page(body).items[0]
    assert item.external_id is None and item.text is None
    assert item.created_at is None and item.created_at_raw == "1700000000"


def test_html_and_script_text_kept_verbatim():
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; \u202e\x00'
    body = json.dumps({"data": [{"id": "7", "text": text}]}).encode()
    assert parse_twitter_page(body).items[0].text == text


def test_five_kb_of_emoji_kept():
    text = "🗑️🚮" * 700
    assert len(text.encode()) > 5000
    body = json.dumps({"data": [{"id": "8", "text": text}]}, ensure_ascii=False).encode()
    assert parse_twitter_page(body).items[0].text == text


def test_unknown_author_has_id_but_no_author_record():
    body = json.dumps({
        "data": [{"id": "9", "text": "hi", "author_id": "555"}],
        "includes": {"users": [{"id": "777", "name": "Other", "username": "other"},
                               {"name": "no id"}, "not a user"]},
    }).encode()
    page = parse_twitter_page(body)
    item = page.items[0]
    assert item.author_external_id == "555" and item.url is None
    assert "555" not in page.authors and set(page.authors) == {"777"}


def test_quote_kind_and_bool_metrics_ignored():
    body = json.dumps({"data": [{
        "id": "11", "text": "q", "referenced_tweets": [{"type": "quoted", "id": "3"}],
        "public_metrics": {"like_count": True, "retweet_count": 2, "odd": 9},
    }]}).encode()
    item = parse_twitter_page(body).items[0]
    assert item.kind == "quote" and item.in_reply_to_external_id is None
    assert item.metrics == {"repost_count": 2}
