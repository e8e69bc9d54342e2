"""TwitterConnector (tweepy) against the X API simulator on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import requests

from council_social.channels.twitter import (
    TwitterAuthError,
    TwitterConnector,
    parse_twitter_page,
)
from council_social.simulator.server import start_simulator

NOW = datetime(2025, 3, 5, 12, 0, 0, tzinfo=UTC)
TOKEN = "sim-token-for-tests"

MAIN = SimpleNamespace(key="brent_main", platform="twitter", handle="BrentCouncil",
                       external_id="111111", display_name="Brent Council", main=True)
LIBS = SimpleNamespace(key="brent_libraries", platform="twitter", handle="BrentLibraries",
                       external_id=None, display_name="Brent Libraries", main=False)


@pytest.fixture
def sim():
    with start_simulator([MAIN, LIBS], seed=11, mentions_per_hour=12, bearer_token=TOKEN,
                         now=NOW) as handle:
        yield handle


def connector(sim, **kw):
    sleeps: list[float] = []
    kw.setdefault("page_size", 20)
    c = TwitterConnector(TOKEN, sim.base_url, sleep=sleeps.append,
                         clock=lambda: NOW.timestamp(), **kw)
    return c, sleeps


def ids_of(result):
    return [i.external_id for p in result.pages for i in parse_twitter_page(p.body).items]


def expected_mentions(sim, user_id, start, end=NOW):
    return sorted((t.id_str for t in sim.model.tweets_between(start, end)
                   if user_id in t.mentioned_user_ids), key=int, reverse=True)


def test_pages_to_the_end_with_unique_ids(sim):
    c, sleeps = connector(sim)
    start = NOW - timedelta(days=2)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=start, end_time=None)
    assert r.complete and r.stopped_reason is None and sleeps == []
    assert len(r.pages) > 3
    ids = ids_of(r)
    assert len(ids) == len(set(ids))
    assert ids == expected_mentions(sim, MAIN.external_id, start)  # newest first, all of them
    assert r.newest_id == ids[0]
    for p in r.pages:
        assert p.platform == "twitter" and p.account_key == "brent_main"
        assert p.endpoint == "users/111111/mentions" and p.status == 200
        assert p.fetched_at.tzinfo is not None
        assert TOKEN not in p.request_url and TOKEN not in json.dumps(p.request_params)
        assert p.request_params["max_results"] == "20"
        assert "x-rate-limit-remaining" in p.headers
    assert "pagination_token" in r.pages[1].request_params
    # Authors come with each page.
    page = parse_twitter_page(r.pages[0].body)
    assert all(i.author_external_id in page.authors for i in page.items)
    assert all(i.url and i.url.startswith("https://x.com/") for i in page.items)


def test_since_id_returns_only_newer(sim):
    c, _ = connector(sim)
    start = NOW - timedelta(days=1)
    everything = ids_of(c.fetch(MAIN, "mentions", since_id=None, start_time=start,
                                end_time=None))
    cut = everything[len(everything) // 2]
    newer = c.fetch(MAIN, "mentions", since_id=cut, start_time=start, end_time=None)
    assert newer.complete
    assert ids_of(newer) == [i for i in everything if int(i) > int(cut)]
    # Nothing newer than the newest: X's empty body, complete, no new watermark.
    empty = c.fetch(MAIN, "mentions", since_id=everything[0], start_time=start, end_time=None)
    assert empty.complete and empty.newest_id is None
    assert [p.body for p in empty.pages] == [b'{"meta":{"result_count":0}}']


def test_start_and_end_time_bound_the_results(sim):
    c, _ = connector(sim)
    start, end = NOW - timedelta(hours=30), NOW - timedelta(hours=6)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=start, end_time=end)
    items = [i for p in r.pages for i in parse_twitter_page(p.body).items]
    assert items and r.complete
    assert all(start <= i.created_at < end for i in items)
    assert [i.external_id for i in items] == expected_mentions(sim, "111111", start, end)
    assert r.pages[0].request_params["start_time"] == "2025-03-04T06:00:00Z"


def test_own_timeline_and_search_and_username_lookup(sim):
    c, _ = connector(sim)
    start = NOW - timedelta(days=2)
    own = c.fetch(LIBS, "tweets", since_id=None, start_time=start, end_time=None)
    lib_id = sim.model.user_by_username("BrentLibraries").id
    assert own.complete and own.pages[0].endpoint == f"users/{lib_id}/tweets"
    items = [i for p in own.pages for i in parse_twitter_page(p.body).items]
    assert items and all(i.author_external_id == lib_id for i in items)
    assert any(i.kind == "reply" and i.in_reply_to_external_id for i in items)

    found = c.fetch(MAIN, "search", since_id=None, start_time=start, end_time=None)
    texts = [i.text for p in found.pages for i in parse_twitter_page(p.body).items]
    assert found.complete and texts
    assert all("@brentcouncil" in t.lower() or "brent council" in t.lower() for t in texts)
    assert found.pages[0].endpoint == "tweets/search/recent"


def test_bad_token_raises_auth_error_without_leaking_it(sim, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-123"
    c = TwitterConnector(secret, sim.base_url, sleep=lambda s: None)
    with pytest.raises(TwitterAuthError) as exc:
        c.fetch(MAIN, "mentions", since_id=None, start_time=None, end_time=None)
    msg = str(exc.value)
    assert "brent_main" in msg and "users/111111/mentions" in msg and "401" in msg
    assert secret not in msg and secret not in caplog.text
    assert secret not in repr(c)
    served = sim.served[-1]
    assert served.status == 401
    assert json.loads(served.body) == {"title": "Unauthorized", "type": "about:blank",
                                       "status": 401, "detail": "Unauthorized"}


def test_429_then_success_waits_for_the_reset(sim):
    c, sleeps = connector(sim, max_rate_limit_wait_seconds=30)
    sim.inject_429(count=1, reset_in_seconds=5)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=NOW - timedelta(hours=12),
                end_time=None)
    assert sleeps == [6.0]  # reset - now + 1 s margin
    assert r.complete and r.stopped_reason is None and r.newest_id is not None
    assert r.waited_seconds == 6.0 and r.exchanges == len(r.pages) + 1
    assert all(p.status == 200 for p in r.pages)
    too_many = [s for s in sim.served if s.status == 429]
    assert len(too_many) == 1
    assert json.loads(too_many[0].body) == {"title": "Too Many Requests",
                                            "detail": "Too Many Requests",
                                            "type": "about:blank", "status": 429}
    assert too_many[0].headers["x-rate-limit-remaining"] == "0"


def test_429_with_far_reset_stops_cleanly_keeping_pages():
    # Two mentions requests per window: the third is a real 429 with a
    # reset ~15 minutes away, far beyond the wait bound.
    with start_simulator([MAIN], seed=11, mentions_per_hour=12, bearer_token=TOKEN, now=NOW,
                         rate_limits={"mentions": 2}) as sim:
        c, sleeps = connector(sim, page_size=5, max_rate_limit_wait_seconds=60)
        r = c.fetch(MAIN, "mentions", since_id=None, start_time=NOW - timedelta(days=1),
                    end_time=None)
        assert sleeps == []
        assert not r.complete and r.newest_id is None
        assert r.stopped_reason == "rate_limited"
        assert len(r.pages) == 2 and len(ids_of(r)) == 10
        reset = int(sim.served[-1].headers["x-rate-limit-reset"])
        assert reset - NOW.timestamp() == 900


def test_max_pages_stops_without_watermark(sim):
    c, _ = connector(sim, page_size=5, max_pages=2)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=NOW - timedelta(days=1),
                end_time=None)
    assert (r.complete, r.newest_id, r.stopped_reason, len(r.pages)) == \
        (False, None, "max_pages", 2)


def test_raw_page_body_is_exactly_what_the_server_sent(sim):
    c, _ = connector(sim)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=NOW - timedelta(days=1),
                end_time=None)
    sent = [s.body for s in sim.served if s.path.endswith("/mentions")]
    assert [p.body for p in r.pages] == sent
    assert r.pages[0].sha256 == __import__("hashlib").sha256(sent[0]).hexdigest()


def test_hostile_body_is_kept_and_stops_the_fetch(sim):
    c, _ = connector(sim)
    hostile = b"<html><script>alert(1)</script>\xff</html>"
    sim.serve_raw_once("/2/users/111111/mentions", 200, hostile)
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=NOW - timedelta(days=1),
                end_time=None)
    assert [p.body for p in r.pages] == [hostile]
    assert not r.complete and r.newest_id is None
    assert r.stopped_reason.startswith("bad_page")


def test_server_error_stops_with_reason(sim):
    c, _ = connector(sim)
    sim.serve_raw_once("/2/users/111111/mentions", 503,
                       b'{"title":"Service Unavailable","detail":"Service Unavailable"}')
    r = c.fetch(MAIN, "mentions", since_id=None, start_time=None, end_time=None)
    assert r.pages == [] and not r.complete
    assert r.stopped_reason == "http_503: Service Unavailable"


# ------------------------------------------------ simulator speaking X directly
def get(sim, path, token=TOKEN, **params):
    return requests.get(sim.base_url + path, params=params,
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_simulator_max_results_out_of_range_is_xs_400(sim):
    resp = get(sim, "/2/users/111111/mentions", max_results=1)
    assert resp.status_code == 400
    assert resp.json() == {
        "errors": [{"parameters": {"max_results": ["1"]},
                    "message": "The `max_results` query parameter value [1] is not "
                               "between 5 and 100"}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request"}
    assert resp.headers["x-rate-limit-limit"] == "450"


def test_simulator_never_serves_the_future(sim):
    window = {"start_time": "2025-03-05T11:00:00Z", "end_time": "2025-03-06T00:00:00Z",
              "tweet.fields": "created_at"}
    body = get(sim, "/2/users/111111/mentions", max_results=100, **window).json()
    assert body["data"]
    assert all(datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) < NOW
               for t in body["data"])
    sim.set_now(NOW + timedelta(hours=2))
    later = get(sim, "/2/users/111111/mentions", max_results=100, **window).json()
    assert later["meta"]["result_count"] > body["meta"]["result_count"]


def test_simulator_user_lookups(sim):
    by_name = get(sim, "/2/users/by/username/brentcouncil",
                  **{"user.fields": "public_metrics,verified,created_at"}).json()
    assert by_name["data"]["id"] == "111111" and by_name["data"]["verified"] is True
    assert set(by_name["data"]["public_metrics"]) == {
        "followers_count", "following_count", "tweet_count", "listed_count"}
    one = get(sim, "/2/users/111111").json()
    assert one == {"data": {"id": "111111", "name": "Brent Council",
                            "username": "BrentCouncil"}}
    many = get(sim, "/2/users", ids="111111,999").json()
    assert [u["id"] for u in many["data"]] == ["111111"]
    assert many["errors"][0]["resource_id"] == "999"


def test_simulator_rejects_non_loopback_host():
    with pytest.raises(ValueError, match="loopback"):
        start_simulator([MAIN], seed=1, host="0.0.0.0")
