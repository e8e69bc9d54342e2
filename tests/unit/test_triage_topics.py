"""Topic matching: keywords, hashtags and places from council.yaml, in any case."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from council_social.config import load_config
from council_social.triage.topics import TopicMatcher


@pytest.fixture(scope="module")
def matcher():
    config = load_config()
    return TopicMatcher(config.topics, config.places)


def test_topic_terms_and_plurals(matcher):
    got = matcher.match("Missed collection again, two bins, no collections")
    assert got.topic == "bins-recycling"
    assert got.terms == ("missed collection", "bins")  # ("collections" is no keyword)
    assert got.department is not None


def test_places_in_order_once_each_with_spaces_or_hyphens(matcher):
    got = matcher.match("Harlesden and Kensal Green, Kensal Green, Kensal-Rise, Wembley Park, "
                        "Wembley-Park Royal")
    assert got.places == ("Harlesden and Kensal Green", "Kensal Green", "Kensal-Rise",
                          "Wembley Park", "Wembley-Park")


def test_spaces_and_hyphens_are_interchangeable(matcher):
    got = matcher.match("fly-tipping, fly tipping, flytipping, fly - tipping, FLY--TIPPINGS, fly_tipping")
    assert got.terms == ("fly-tipping", "fly tipping", "flytipping", "fly - tipping",
                         "fly--tippings")


def test_whole_words_only(matcher):
    assert matcher.match("bin_ 2bins xbins binsx").topic is None


def test_case_folding_beyond_ascii(matcher):
    assert matcher.match("par\u212aing ticket").terms == ("parking ticket",)  # KELVIN SIGN
    assert matcher.match("bin\u017f and rubbi\u017fh").terms == ("bins", "rubbish")  # LONG S


def _topic(key: str, keywords: list[str], weight: float = 0.5):
    return SimpleNamespace(key=key, weight=weight, service=f"{key}-service", keywords=keywords,
                           hashtags=[])


def test_most_mentions_wins_then_weight():
    m = TopicMatcher([_topic("a", ["bin"]), _topic("b", ["road"], weight=0.9)], [])
    assert m.match("bin bin road").topic == "a"
    assert m.match("bin road").topic == "b"


def test_unusual_terms_are_escaped():
    m = TopicMatcher([_topic("t", ["a&e", ".net", "(north)", "café"])], ["@home"])
    assert m.match("A&E and .NET (north) CAFÉ").terms == ("a&e", ".net", "(north)", "café")
    assert m.match("at @home").places == ("@home",)
    assert m.match("anet north").topic is None
