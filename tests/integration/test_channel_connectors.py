"""Each non-X connector against the simulator: paging to the end, error envelopes,
429 / quota stops that lose nothing, and the whole path into the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.channels.common import ChannelAuthError
from council_social.channels.registry import parse_page
from council_social.pipeline.ingest import ingest_account
from council_social.store.ingest_repo import FetchKey, current_watermark
from tests.conftest import SIM_NOW

TOKEN = "sim-token"
LOOKBACK = timedelta(hours=48)

# platform -> (endpoints, path prefix of its main list)
CHANNELS = {
    "facebook": (["posts", "groups"], "/v19.0/"),
    "instagram": (["media", "mentions", "hashtags"], "/v19.0/"),
    "youtube": (["videos", "comments"], "/youtube/v3/"),
    "flickr": (["photos"], "/services/rest"),
    "linkedin": (["posts"], "/rest/"),
    "feed": (["entries"], "/feeds/"),
    "eventbrite": (["events"], "/v3/"),
}


def connector(platform: str, base_url: str, token: str = TOKEN, **kw):
    from council_social.channels.eventbrite import EventbriteConnector
    from council_social.channels.facebook import FacebookConnector
    from council_social.channels.feeds import FeedConnector
    from council_social.channels.flickr import FlickrConnector
    from council_social.channels.instagram import InstagramConnector
    from council_social.channels.linkedin import LinkedInConnector
    from council_social.channels.youtube import YouTubeConnector

    kw.setdefault("sleep", lambda s: None)
    if platform == "feed":
        return FeedConnector(base_url, **kw)
    extra = {"facebook": {"groups": ["1421785678123456"]},
             "instagram": {"hashtags": ["Wembley"]}}.get(platform, {})
    cls = {"facebook": FacebookConnector, "instagram": InstagramConnector,
           "youtube": YouTubeConnector, "flickr": FlickrConnector, "linkedin": LinkedInConnector,
           "eventbrite": EventbriteConnector}[platform]
    return cls(token, base_url, **extra, **kw)


def sources(config, platform):
    return config.sources_for(platform)


def fetch_all(conn, source, endpoint, lookback=LOOKBACK):
    return conn.fetch(source, endpoint, since_id=None, start_time=SIM_NOW - lookback,
                      end_time=SIM_NOW)


def item_ids(platform, result, since=None) -> set[tuple[str, str]]:
    """(kind, id) of every item; with `since`, only posts created since then."""
    out = set()
    for page in result.pages:
        parsed = parse_page(platform, page.body)
        assert parsed.problem is None, parsed.problem
        out |= {(i.kind, i.external_id) for i in parsed.items
                if since is None or (i.kind in ("post", "mention") and i.created_at >= since)}
    return out


@pytest.mark.parametrize("platform", sorted(CHANNELS))
def test_small_pages_reach_the_end_and_match_one_big_page(simulator, config, platform):
    endpoints, _ = CHANNELS[platform]
    small = connector(platform, simulator.base_url, page_size=5)
    big = connector(platform, simulator.base_url, page_size=100)
    total, paged = 0, False
    week = timedelta(days=7)
    for source in sources(config, platform):
        for endpoint in endpoints:
            a, b = fetch_all(small, source, endpoint, week), fetch_all(big, source, endpoint, week)
            assert a.complete and b.complete, (a.stopped_reason, b.stopped_reason)
            ids_a, ids_b = item_ids(platform, a), item_ids(platform, b)
            # Big pages may reach further back than the window; within it, nothing differs.
            assert ids_a <= ids_b
            assert item_ids(platform, a, SIM_NOW - week) == item_ids(platform, b, SIM_NOW - week)
            total += len(ids_a)
            paged = paged or len(a.pages) > len(b.pages)
    assert total > 0
    assert paged or platform == "feed"  # a feed is one document


@pytest.mark.parametrize("platform", sorted(CHANNELS))
def test_429_stop_loses_nothing_and_the_next_run_completes(simulator, clean_db, config, platform):
    endpoints, prefix = CHANNELS[platform]
    source = sources(config, platform)[0]
    simulator.channels.inject_429(prefix, count=50, retry_after=30)
    impatient = connector(platform, simulator.base_url, max_rate_limit_wait_seconds=0)
    summary = ingest_account(clean_db, impatient, source, endpoints=endpoints[:1],
                             interval_start=SIM_NOW - timedelta(minutes=15),
                             interval_end=SIM_NOW, initial_lookback=LOOKBACK)
    assert summary["incomplete"] == [{"endpoint": endpoints[0], "reason": "rate_limited"}]
    key = FetchKey(platform, source.key, endpoints[0], SIM_NOW)
    with clean_db.connect() as conn:
        assert current_watermark(conn, key) is None
    simulator.channels.inject_429(prefix, count=0)
    # A short 429 is waited out (Retry-After), then the fetch completes.
    simulator.channels.inject_429(prefix, count=1, retry_after=1)
    waits = []
    patient = connector(platform, simulator.base_url, sleep=waits.append)
    summary = ingest_account(clean_db, patient, source, endpoints=endpoints[:1],
                             interval_start=SIM_NOW - timedelta(minutes=15),
                             interval_end=SIM_NOW, initial_lookback=LOOKBACK)
    assert summary["incomplete"] == [] and waits == [1.0]
    with clean_db.connect() as conn:
        mark = current_watermark(conn, key)
    result = fetch_all(patient, source, endpoints[0])
    assert mark == result.newest_id


def test_facebook_expired_token_is_a_clear_failure_and_moves_nothing(simulator, clean_db, config):
    from council_social.channels.facebook import FacebookAuthError

    simulator.channels.expire_token("facebook")
    source = config.accounts_for("facebook")[0]
    with pytest.raises(FacebookAuthError, match=r"Graph error 190/463 \(OAuthException\).*renew"):
        ingest_account(clean_db, connector("facebook", simulator.base_url), source,
                       endpoints=["posts"], interval_start=SIM_NOW - timedelta(minutes=15),
                       interval_end=SIM_NOW, initial_lookback=LOOKBACK)
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.raw_pages")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM social.ingest_watermarks")).scalar() == 0


def test_graph_error_mid_paging_stops_with_the_reason(simulator, config):
    source = config.accounts_for("facebook")[0]
    simulator.channels.inject_once(f"/v19.0/{source.external_id}/feed", 400, {"error": {
        "message": "(#100) Unsupported get request", "type": "GraphMethodException",
        "code": 100, "error_subcode": 33, "fbtrace_id": "AbC"}})
    result = fetch_all(connector("facebook", simulator.base_url), source, "posts")
    assert not result.complete and result.newest_id is None
    assert result.stopped_reason.startswith("http_400: Graph error 100/33")


@pytest.mark.parametrize("platform,error", [
    ("linkedin", "INVALID_ACCESS_TOKEN"), ("eventbrite", "401"), ("youtube", "authError"),
    ("instagram", "190"),
])
def test_a_refused_token_raises_an_auth_error(simulator, config, platform, error):
    from council_social.channels.eventbrite import EventbriteConnector
    from council_social.channels.instagram import InstagramConnector
    from council_social.channels.linkedin import LinkedInConnector
    from council_social.channels.youtube import YouTubeConnector

    cls = {"linkedin": LinkedInConnector, "eventbrite": EventbriteConnector,
           "youtube": YouTubeConnector, "instagram": InstagramConnector}[platform]
    bad = cls("wrong-token", simulator.base_url)
    with pytest.raises(ChannelAuthError) as info:
        fetch_all(bad, config.accounts_for(platform)[0], CHANNELS[platform][0][0])
    assert "wrong-token" not in str(info.value) and "wrong-token" not in repr(bad)


def test_flickr_stat_fail_envelopes(simulator, config):
    from council_social.channels.flickr import FlickrAuthError, FlickrConnector

    source = config.accounts_for("flickr")[0]
    with pytest.raises(FlickrAuthError, match="Flickr error 100"):
        fetch_all(FlickrConnector("bad-key", simulator.base_url), source, "photos")
    simulator.channels.inject_once("/services/rest", 200, {
        "stat": "fail", "code": 105, "message": "Service currently unavailable"})
    result = fetch_all(connector("flickr", simulator.base_url), source, "photos")
    assert not result.complete and result.stopped_reason.startswith("flickr_105")
    assert result.pages == []  # an error exchange is not a page of photos


def test_youtube_stops_before_the_quota_and_on_quota_exceeded(simulator, config):
    from council_social.channels.youtube import QuotaLedger

    source = config.accounts_for("youtube")[0]
    ledger = QuotaLedger(daily_quota=10_000, spent=9_999)
    tight = connector("youtube", simulator.base_url, page_size=5, ledger=ledger)
    result = fetch_all(tight, source, "comments")
    assert result.stopped_reason == "quota_budget" and not result.complete
    assert ledger.spent <= 10_000 and result.newest_id is None
    assert ledger.spent == 10_000 or result.exchanges == 1

    simulator.channels.youtube_units = 0
    simulator.channels.youtube_quota = 1
    week = timedelta(days=7)
    result = fetch_all(connector("youtube", simulator.base_url, page_size=5), source, "comments",
                       week)
    assert result.stopped_reason == "quota_exceeded" and result.newest_id is None
    assert len(result.pages) == 1
    simulator.channels.youtube_quota = None
    full = fetch_all(connector("youtube", simulator.base_url, page_size=5), source, "comments",
                     week)
    assert full.complete and item_ids("youtube", result) <= item_ids("youtube", full)


def test_feed_faults_whitespace_before_declaration_and_server_error(simulator, config):
    source = config.feed("mumsnet-brent")
    body = (b"\n\n  <?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            b"<link>https://www.mumsnet.com/</link><item><title>A &lt;i&gt;b&lt;/i&gt;</title>"
            b"<guid>g1</guid><pubDate>garbage</pubDate></item></channel></rss>")
    simulator.channels.inject_once("/feeds/mumsnet-brent", 200, body,
                                   {"content-type": "application/rss+xml"})
    result = fetch_all(connector("feed", simulator.base_url), source, "entries")
    assert result.complete
    (item,) = parse_page("feed", result.pages[0].body).items
    assert item.external_id == "g1" and item.text == "A b" and item.created_at is None
    simulator.channels.inject_once("/feeds/mumsnet-brent", 503, b"<h1>Busy</h1>")
    result = fetch_all(connector("feed", simulator.base_url), source, "entries")
    assert result.stopped_reason == "http_503" and not result.complete


def test_every_channel_lands_and_processes_with_audiences(simulator, clean_db, config):
    from council_social.pipeline.process import process_interval

    start = SIM_NOW - timedelta(minutes=15)
    for platform, (endpoints, _) in CHANNELS.items():
        for source in sources(config, platform):
            summary = ingest_account(clean_db, connector(platform, simulator.base_url), source,
                                     endpoints=endpoints, interval_start=start,
                                     interval_end=SIM_NOW, initial_lookback=LOOKBACK)
            assert summary["incomplete"] == []
    row = process_interval(clean_db, config, SIM_NOW - timedelta(hours=1), SIM_NOW)
    assert row["records"] == row["stored"] + row["duplicates"] + row["quarantined"]
    with clean_db.connect() as conn:
        stored = dict(conn.execute(text(
            "SELECT platform, count(*) FROM social.items GROUP BY platform")).all())
        quarantined = conn.execute(text("SELECT count(*) FROM social.quarantine")).scalar()
        audience = dict(conn.execute(text(
            "SELECT platform || ':' || external_id, followers_count FROM social.authors"
            " WHERE followers_count IS NOT NULL")).all())
        kinds = {k for (k,) in conn.execute(text("SELECT DISTINCT kind FROM social.items"))}
        reasons = conn.execute(text("SELECT platform, reasons FROM social.quarantine")).all()
    assert set(stored) == set(CHANNELS), stored
    assert quarantined == 0, reasons
    assert {"post", "comment", "reply", "mention"} <= kinds
    fb = config.accounts_for("facebook")[0]
    yt = config.accounts_for("youtube")[0]
    assert audience[f"facebook:{fb.external_id}"] > 3294
    assert audience[f"youtube:{yt.external_id}"] > 180
    assert audience["feed:www.mumsnet.com"] == config.feed("mumsnet-brent").site_audience
    # A rerun of the same interval asks the same question and changes nothing.
    from tests.conftest import snapshot

    before = snapshot(clean_db)
    for platform, (endpoints, _) in CHANNELS.items():
        for source in sources(config, platform):
            ingest_account(clean_db, connector(platform, simulator.base_url), source,
                           endpoints=endpoints, interval_start=start, interval_end=SIM_NOW,
                           initial_lookback=LOOKBACK)
    process_interval(clean_db, config, SIM_NOW - timedelta(hours=1), SIM_NOW)
    after = snapshot(clean_db)
    for table in ("items", "authors", "ingest_watermarks", "raw_pages"):
        assert after[table] == before[table], table
