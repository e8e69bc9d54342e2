"""The simulated Brent X world is a pure function of (seed, time)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.simulator.traffic import (
    INTENTS,
    TrafficModel,
    snowflake,
    snowflake_time,
)

T0 = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday


def accounts():
    return [
        SimpleNamespace(key="brent_main", platform="twitter", handle="BrentCouncil",
                        external_id="111111", display_name="Brent Council", main=True),
        SimpleNamespace(key="brent_libraries", platform="twitter", handle="BrentLibraries",
                        external_id=None, display_name="Brent Libraries", main=False),
        SimpleNamespace(key="brent_fb", platform="facebook", handle="brentcouncil",
                        external_id=None, display_name="Brent Council", main=True),
    ]


def model(seed=42, rate=8.0):
    return TrafficModel(accounts(), seed=seed, mentions_per_hour=rate)


def _key(tweets):
    return [(t.id, t.author_id, t.text, t.created_at) for t in tweets]


def test_same_window_twice_and_across_instances_agree():
    a, b = model(), model()
    window = (T0 + timedelta(hours=5, minutes=17), T0 + timedelta(days=1, hours=3))
    first = a.tweets_between(*window)
    assert len(first) > 50
    assert _key(first) == _key(a.tweets_between(*window)) == _key(b.tweets_between(*window))


def test_overlapping_windows_agree_on_the_overlap():
    m = model()
    wide = m.tweets_between(T0, T0 + timedelta(days=2))
    # A fresh model (no cache) asked only for a later slice sees the same tweets.
    fresh = model()
    lo, hi = T0 + timedelta(hours=30, minutes=7), T0 + timedelta(hours=40)
    part = fresh.tweets_between(lo, hi)
    assert part and _key(part) == _key([t for t in wide if lo <= t.created_at < hi])
    # Adjacent windows partition the wide one with nothing lost or doubled.
    mid = T0 + timedelta(hours=19, seconds=1)
    assert _key(m.tweets_between(T0, mid) + m.tweets_between(mid, T0 + timedelta(days=2))) \
        == _key(wide)


def test_seed_changes_the_world():
    w = (T0, T0 + timedelta(hours=12))
    assert _key(model(seed=1).tweets_between(*w)) != _key(model(seed=2).tweets_between(*w))
    assert [u.username for u in model(seed=1).users()] != \
        [u.username for u in model(seed=2).users()]


def test_ids_are_snowflakes_increasing_with_time_and_unique():
    tweets = model().tweets_between(T0, T0 + timedelta(days=3))
    ids = [t.id for t in tweets]
    assert len(set(ids)) == len(ids)
    by_time = sorted(tweets, key=lambda t: (t.created_at, t.id))
    assert [t.id for t in by_time] == sorted(ids)
    for t in tweets[:50]:
        assert abs((snowflake_time(t.id) - t.created_at).total_seconds()) < 0.001
        assert t.created_at.tzinfo is not None
    assert snowflake(1288834974657 + 1, 0) == 1 << 22


def test_council_replies_thread_correctly():
    m = model()
    tweets = m.tweets_between(T0, T0 + timedelta(days=2))
    council_ids = {u.id for u in m.users() if u.role == "council"}
    replies = [t for t in tweets if t.intent == "council_reply"]
    assert len(replies) > 10
    for r in replies:
        assert r.author_id in council_ids
        (kind, parent_id), = r.referenced_tweets
        assert kind == "replied_to"
        parent = m.tweet_by_id(parent_id)
        assert parent is not None and parent.created_at < r.created_at
        assert r.in_reply_to_user_id == parent.author_id
        assert r.conversation_id == parent.conversation_id == parent.id
        assert r.text.startswith("@" + m.user_by_id(parent.author_id).username)
    followups = [t for t in tweets if t.intent == "followup"]
    assert followups
    for f in followups:
        parent = m.tweet_by_id(f.referenced_tweets[0][1])
        assert parent.intent == "council_reply"
        assert f.in_reply_to_user_id == parent.author_id
        assert f.conversation_id == parent.conversation_id != f.id


def test_non_emergency_replies_come_in_office_hours():
    from council_social.simulator.traffic import LONDON
    tweets = model().tweets_between(T0, T0 + timedelta(days=3))
    hours = [t.created_at.astimezone(LONDON).hour for t in tweets
             if t.intent == "council_reply" and "999" not in t.text]
    assert hours and all(8 <= h <= 22 for h in hours)


def test_mix_of_intents_topics_and_places():
    m = model(rate=10)
    tweets = m.tweets_between(T0, T0 + timedelta(days=3))
    intents = Counter(t.intent for t in tweets)
    for intent in INTENTS:
        assert intents[intent] > 0, intent
    assert intents["council_post"] > 0 and intents["council_reply"] > 0
    text = " ".join(t.text for t in tweets)
    assert "Under the Freedom of Information Act" in text
    assert sum(p in text for p in ("Wembley", "Kilburn", "Harlesden", "Willesden")) == 4
    assert len({t.topic for t in tweets if t.topic}) >= 6


def test_daily_profile_quiet_at_night():
    from council_social.simulator.traffic import LONDON
    tweets = model(rate=10).tweets_between(T0, T0 + timedelta(days=7))
    roots = [t for t in tweets if t.intent in INTENTS]
    night = sum(1 for t in roots if 1 <= t.created_at.astimezone(LONDON).hour < 5)
    lunch = sum(1 for t in roots if 12 <= t.created_at.astimezone(LONDON).hour < 16)
    assert lunch > 5 * max(night, 1)


def test_user_pool_shape():
    m = model()
    users = m.users()
    residents = [u for u in users if u.role == "resident"]
    assert len(residents) == 300
    assert len({u.id for u in users}) == len(users)
    followers = sorted(u.followers_count for u in residents)
    assert followers[-1] > 20 * followers[len(followers) // 2]  # heavy tail
    assert any(u.verified for u in residents)
    roles = Counter(u.role for u in users)
    assert roles["journalist"] == roles["councillor"] == roles["blogger"] == 1
    assert m.user_by_username("BrentCounci1").role == "impersonator"
    assert m.user_by_username("@brentcouncil").id == "111111"
    # Only X accounts are council users; the facebook one is ignored.
    assert {u.username for u in users if u.role == "council"} == {"BrentCouncil",
                                                                  "BrentLibraries"}


def test_naive_datetimes_rejected():
    with pytest.raises(ValueError):
        model().tweets_between(datetime(2025, 1, 1), datetime(2025, 1, 2))
