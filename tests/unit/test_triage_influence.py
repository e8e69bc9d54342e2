"""Daily influence as a pure function: authors and their items of the window in, rows out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from council_social.config import load_config
from council_social.triage.influence import AuthorActivity, InfluenceScorer, influence
from council_social.triage.influence_daily import compute_influence, window_for

DAY = date(2026, 11, 24)
WEIGHTS = load_config().triage.influence_weights.model_dump()


def author(external_id="a1", platform="twitter", **kw):
    return {"platform": platform, "external_id": external_id, "followers_count": 100,
            "verified": False, "listed_count": 0,
            "created_at": datetime(2020, 1, 1, tzinfo=UTC), **kw}


def items(n, external_id="a1", platform="twitter", replies=0, reposts=0,
          at=datetime(2026, 11, 20, 12, tzinfo=UTC)):
    return [{"platform": platform, "author_external_id": external_id, "created_at": at,
             "metrics": {"reply_count": replies, "repost_count": reposts}} for _ in range(n)]


def score(a, its=(), **kw) -> int:
    [row] = compute_influence([a], list(its), DAY, weights=WEIGHTS, **kw)
    return row["score"]


def test_monotone_in_followers():
    scores = [score(author(followers_count=f)) for f in (0, 10, 1_000, 100_000, 10_000_000)]
    assert scores == sorted(scores) and scores[0] < scores[-1]


def test_monotone_in_engagement_and_reach():
    scores = [score(author(), items(5, replies=r, reposts=r)) for r in (0, 1, 10, 100)]
    assert scores == sorted(scores) and scores[0] < scores[-1]


def test_verified_adds_points():
    assert score(author(verified=True)) > score(author(verified=False))


def test_site_audience_counts_for_forums_and_blogs():
    forum = author(platform="mumsnet")
    assert score(forum, site_audience={"mumsnet": 7_000_000}) > score(forum)


@pytest.mark.parametrize("a", [
    author(followers_count=0, listed_count=0, created_at=None),
    author(followers_count=10**12, listed_count=10**9, verified=True,
           created_at=datetime(1990, 1, 1, tzinfo=UTC)),
])
def test_bounds(a):
    big = items(50, replies=10**7, reposts=10**7)
    assert 1 <= score(a, big, site_audience={"twitter": 10**12}) <= 100
    assert 1 <= score(a) <= 100


def test_only_the_window_counts_and_each_row_is_explained():
    start, end = window_for(DAY, 90)
    assert end == datetime(2026, 11, 25, tzinfo=UTC) and end - start == timedelta(days=90)
    inside = items(3, replies=50)
    outside = items(3, replies=50, at=start) + items(3, replies=50, at=end + timedelta(seconds=1))
    assert score(author(), outside) == score(author())
    [row] = compute_influence([author()], inside + outside, DAY, weights=WEIGHTS)
    c = row["components"]
    assert c["inputs"]["posts"] == 3 and c["inputs"]["interactions"] == 150
    assert set(c["points"]) == {"audience", "engagement", "reach", "verified", "listed",
                                "account_age", "site"}
    assert c["weights"] == WEIGHTS and c["summary"].startswith(f"influence {row['score']}")
    assert (row["day"], row["window_start"], row["window_end"]) == (DAY, start, end)


def test_the_batch_scorer_matches_influence_exactly():
    at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    scorer = InfluenceScorer(WEIGHTS)
    for f in (0, 7, 5_000, 250_000):
        for created in (None, datetime(2025, 6, 1, tzinfo=UTC), datetime(2001, 1, 1, tzinfo=UTC)):
            a = AuthorActivity(followers=f, verified=f > 1000, listed=f // 100, created_at=created,
                               posts_in_window=3, interactions_in_window=f // 10, reach_in_window=4)
            for when in (None, at, at + timedelta(days=400)):
                assert scorer.score(a, when) == influence(a, WEIGHTS, when)


def test_the_batch_scorer_takes_a_site_audience_as_a_replaced_field():
    at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    scorer = InfluenceScorer(WEIGHTS)
    a = AuthorActivity(followers=40, created_at=datetime(2020, 1, 1, tzinfo=UTC))
    for site in (25_000, 7_000_000):
        expected = influence(replace(a, site_audience=site), WEIGHTS, at)
        assert scorer.score(a, at, site) == expected
        assert scorer.score(a, at) == influence(a, WEIGHTS, at) != expected


@pytest.mark.parametrize("weights", [
    WEIGHTS, {**WEIGHTS, "account_age": 0.0},
    {k: v for k, v in WEIGHTS.items() if k != "account_age"},
    {k: 0.0 for k in WEIGHTS}, {**WEIGHTS, "account_age": 3.0, "site": 0.0},
])
def test_the_batch_scorer_is_bit_for_bit_influence_on_a_shared_memo(weights):
    """Authors differing in one field each, scored by one scorer (a memo key missing the
    field would hand one author's points to the other); with and without an age."""
    scorer = InfluenceScorer(weights)
    base = AuthorActivity(followers=120, verified=False, listed=3, posts_in_window=4,
                          interactions_in_window=30, reach_in_window=5, site_audience=0)
    variants = [base, replace(base, followers=121), replace(base, verified=True),
                replace(base, listed=4), replace(base, posts_in_window=5),
                replace(base, interactions_in_window=31), replace(base, reach_in_window=6),
                replace(base, site_audience=9_000),
                replace(base, created_at=datetime(2019, 5, 1, tzinfo=UTC)),
                replace(base, created_at=datetime(2030, 1, 1, tzinfo=UTC))]
    at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    for _ in range(2):
        for a in variants:
            for when in (None, at):
                assert repr(scorer.score(a, when)) == repr(influence(a, weights, when))
                scorer.score(a, when)[1].clear()  # each item's points are its own dict
                for site in (25_000, 7_000_000):
                    expected = influence(replace(a, site_audience=site), weights, when)
                    assert repr(scorer.score(a, when, site)) == repr(expected)
