"""Property tests: whatever bytes a platform sends, every parser gives items or a clear
problem, never an exception. Seeds are small real-shaped pages; hypothesis replaces any
part of them with any JSON value (lone surrogates, huge numbers, wrong types included)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from council_social.channels.registry import PARSERS, parse_page
from council_social.items import ParsedPage

# Modest counts: the suite stays fast; CI can raise them with a hypothesis profile.
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

SEEDS: dict[str, dict] = {
    "twitter": {
        "data": [{"id": "1800000000000000001", "text": "@Brent_Council bins", "author_id": "77",
                  "created_at": "2026-11-25T10:00:00.000Z", "lang": "en", "conversation_id": "1",
                  "public_metrics": {"like_count": 1},
                  "referenced_tweets": [{"type": "replied_to", "id": "1"}]}],
        "includes": {"users": [{"id": "77", "username": "resident77", "name": "Ann",
                                "public_metrics": {"followers_count": 5}}]},
        "meta": {"result_count": 1, "newest_id": "1800000000000000001", "next_token": "abc"}},
    "facebook": {
        "data": [{"id": "111_222", "message": "Pothole on the High Road",
                  "created_time": "2026-11-25T10:00:00+0000", "from": {"id": "333", "name": "Pat"},
                  "permalink_url": "https://www.facebook.com/111/posts/222",
                  "comments": {"data": [{"id": "222_444", "message": "me too",
                                         "created_time": "2026-11-25T11:00:00+0000",
                                         "from": {"id": "555", "name": "Sam"}}]}}],
        "paging": {"cursors": {"after": "x"}, "next": "https://graph.facebook.com/next"}},
    "instagram": {
        "data": [{"id": "17900000000000001", "text": "love the park", "username": "res.ident",
                  "timestamp": "2026-11-25T10:00:00+0000", "from": {"id": "1789", "username": "res.ident"},
                  "like_count": 3, "parent_id": "1790"}],
        "paging": {"cursors": {"after": "x"}}},
    "youtube": {
        "kind": "youtube#commentThreadListResponse", "nextPageToken": "t",
        "items": [{"id": "UgzAbCdEfGh123", "snippet": {"videoId": "dQw4w9WgXcQ", "topLevelComment": {
            "id": "UgzAbCdEfGh123", "snippet": {
                "textOriginal": "great video", "authorDisplayName": "@viewer",
                "authorChannelId": {"value": "UCabcdefgh"}, "publishedAt": "2026-11-25T10:00:00Z",
                "likeCount": 2}}, "totalReplyCount": 0}}]},
    "flickr": {"photos": {"page": 1, "pages": 2, "perpage": 1, "total": "2", "photo": [
        {"id": "53311442731", "owner": "12345678@N05", "title": "Brent Youth Awards",
         "dateupload": "1700000000", "ownername": "Brent Council", "views": "12",
         "description": {"_content": "At the Civic Centre"}}]}, "stat": "ok"},
    "linkedin": {"paging": {"start": 0, "count": 1, "total": 2}, "elements": [
        {"id": "urn:li:share:6844785523593134080", "author": "urn:li:organization:1234567",
         "commentary": "Jobs fair", "createdAt": 1631894045000, "publishedAt": 1631894046000}]},
    "eventbrite": {"pagination": {"page_number": 1, "has_more_items": True, "continuation": "c"},
                   "events": [{"id": "774563218907", "name": {"text": "Drop-in"},
                               "published": "2026-11-01T10:00:00Z", "organizer_id": "1876",
                               "capacity": 60, "ticket_classes": [{"quantity_sold": 12}]}]},
}
RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>{0}</title><item><title>{1}</title>'
       '<link>https://example.org/{2}</link><pubDate>{3}</pubDate><description>{4}</description>'
       '<guid>{2}</guid></item></channel></rss>')

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["", "\ud800", "\x00", "2026-11-25T10:00:00Z",
                                             "9999-12-31T23:59:59Z", "1e400", "-1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, (*prefix, index))


def _replace(doc, path, value):
    if not path:
        return value
    copy = list(doc) if isinstance(doc, list) else dict(doc)
    copy[path[0]] = _replace(doc[path[0]], path[1:], value)
    return copy


def check(platform: str, body: bytes) -> ParsedPage:
    page = parse_page(platform, body)
    assert isinstance(page, ParsedPage)
    assert page.problem is None or (isinstance(page.problem, str) and page.problem)
    for item in page.items:
        asdict(item)  # every item is plain data the pipeline can store or quarantine
    return page


def test_every_parser_is_covered():
    assert set(SEEDS) | {"feed"} == set(PARSERS)


@pytest.mark.parametrize("platform", sorted(PARSERS))
@PROPERTY
@given(body=st.binary(max_size=600))
def test_any_bytes(platform, body):
    check(platform, body)


@pytest.mark.parametrize("platform", sorted(SEEDS))
@PROPERTY
@given(data=st.data())
def test_any_part_of_a_real_shaped_page_replaced(platform, data):
    doc = SEEDS[platform]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))))
        doc = _replace(doc, path, data.draw(json_values))
    check(platform, json.dumps(doc).encode())


@PROPERTY
@given(fields=st.lists(st.text(max_size=40), min_size=5, max_size=5))
def test_any_feed_fields(fields):
    from xml.sax.saxutils import escape

    body = RSS.format(*(escape(f) for f in fields))
    check("feed", body.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("platform", sorted(PARSERS))
def test_deep_nesting_is_a_problem_not_a_crash(platform):
    deep = b"[" * 100_000 + b"]" * 100_000
    assert check(platform, deep).problem
    nested = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    check(platform, nested)


def test_a_feed_declaring_entities_is_refused_before_expansion():
    laughs = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol">'
              + "".join(f'<!entity a{i} "{("&a%s;" % (i - 1 if i > 1 else "")) * 10}">'
                        for i in range(1, 9))
              + ']><rss version="2.0"><channel><item><title>&a8;</title></item></channel></rss>')
    assert "declares XML entities" in check("feed", laughs.encode()).problem
