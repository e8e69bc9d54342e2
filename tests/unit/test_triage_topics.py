"""Topic matching: the fast path (lowercased ASCII text at the gate's word starts) must
give what the plain regex gives."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest

from council_social.triage.gate import GateIndex
from council_social.triage.topics import TopicMatcher

TRICKY = [
    "Missed collection again, two bins, no collections",
    "MISSED   COLLECTION on Dudden Hill Lane, BINS everywhere",
    "missed-collection, missed - collection and missed\tcollection\nagain",
    "fly-tipping, fly tipping, flytipping, fly - tipping, FLY--TIPPINGS, fly_tipping",
    "binss bin_ bins_ bin2 2bins bin's bins. #bins @bins",
    "@Brent_Council #BrentRecycles #brentrecyclesS brentrecycles_x Brent-Recycles",
    "Harlesden and Kensal Green, Kensal Green, Kensal-Rise, Wembley Park, Wembley-Park Royal",
    "Park Royal; park royal; parks royal; Queens Park's cafe; Wembley Parks",
    "the green bin and the brown bins by the street lights of Neasden",
    "bin",
    "Parking ticket, parking-ticket, parkingticket, PCNs, cpz's, towing, tow",
]

# Non-ASCII near a term: these take the regex path (case folding reaches beyond ASCII).
NON_ASCII = [
    "par\u212aing ticket",  # KELVIN SIGN folds to k
    "bin\u017f and rubbi\u017fh",  # LONG S folds to s
    "missed\u00a0collection in Kilburn\u2019s streets",
    "\u0130 Wembley bins \U0001f644",
    "caf\u00e9 bins, r\u00e9pairs, repairs\u00e9",
]


def _random_texts(words: list[str], count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    glue = [" ", " ", " ", "-", "  ", " - ", "\t", "\n", "", "_", "s ", "'s ", ", ", " #", " @", "."]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rnd.randint(1, 12)):
            w = rnd.choice(words)
            w = rnd.choice([w, w.upper(), w.title(), w[: rnd.randint(1, len(w))]])
            parts += [w, rnd.choice(glue)]
        texts.append("".join(parts))
    return texts


def _plain_places(places: list[str], text: str) -> tuple[str, ...]:
    """The places regex written out plainly (longest first, separators, plural, word edges)."""
    ordered = sorted({p.casefold() for p in places}, key=lambda t: (-len(t), t))
    body = "|".join(re.escape(t).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
                    for t in ordered)
    pattern = re.compile(rf"(?<![\w])(?:{body})s?(?![\w])", re.IGNORECASE)
    return tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def _words(config) -> list[str]:
    terms = [w for t in config.topics for w in (*t.keywords, *t.hashtags)] + list(config.places)
    return sorted({w for term in terms for w in re.split(r"[ -]", term)} | set(terms))


def test_fast_path_matches_the_regex_path(config):
    fast = TopicMatcher(config.topics, config.places)
    plain = TopicMatcher(config.topics, config.places)
    index = GateIndex(fast.gates)
    texts = TRICKY + _random_texts(_words(config), 3000)
    for text in texts:
        keys = index.keys(text)
        assert keys.at is not None  # ASCII text: the word starts are known, the fast path runs
        got = fast.match(text, keys)
        assert got == plain.match(text), text  # no keys: the gated regex over the whole text
        assert got.places == _plain_places(config.places, text), text


def test_fast_path_answers(config):
    m = TopicMatcher(config.topics, config.places)
    index = GateIndex(m.gates)
    got = m.match(TRICKY[0], index.keys(TRICKY[0]))
    assert got.topic == "bins-recycling"
    assert got.terms == ("missed collection", "bins")  # ("collections" is no keyword)
    got = m.match(TRICKY[6], index.keys(TRICKY[6]))
    assert got.places == ("Harlesden and Kensal Green", "Kensal Green", "Kensal-Rise",
                          "Wembley Park", "Wembley-Park")
    got = m.match(TRICKY[3], index.keys(TRICKY[3]))
    assert got.terms == ("fly-tipping", "fly tipping", "flytipping", "fly - tipping",
                         "fly--tippings")


@pytest.mark.parametrize("text", NON_ASCII)
def test_non_ascii_text_takes_the_regex_path(config, text):
    m = TopicMatcher(config.topics, config.places)
    assert m.match(text, GateIndex(m.gates).keys(text)) == TopicMatcher(
        config.topics, config.places).match(text)


def test_case_folding_beyond_ascii(config):
    m = TopicMatcher(config.topics, config.places)
    index = GateIndex(m.gates)
    assert m.match(NON_ASCII[0], index.keys(NON_ASCII[0])).terms == ("parking ticket",)
    assert m.match(NON_ASCII[1], index.keys(NON_ASCII[1])).terms == ("bins", "rubbish")


def _topic(key: str, keywords: list[str]):
    return SimpleNamespace(key=key, weight=0.5, service=f"{key}-service", keywords=keywords,
                           hashtags=[])


@pytest.mark.parametrize("keywords,places", [
    # Non-ASCII terms: no lowercased alternation ("ı" matches "i" and "I" ignoring case).
    (["café", "repair"], ["Wembley", "Istanbulı"]),
    # Not all start with a letter: no grouping by first letter ("(" is no literal there).
    (["repair", "24h service", "a&e", ".net", "(north)"], ["@home", "Wembley", "_x"]),
])
def test_unusual_terms_match_like_the_regex_path(keywords, places):
    fast = TopicMatcher([_topic("t", keywords)], places)
    plain = TopicMatcher([_topic("t", keywords)], places)
    index = GateIndex(fast.gates)
    words = [*keywords, *places, "CAFÉ", "cafe", "24H", "services", "A&E", "home", "x", "NET",
             "NORTH", "ISTANBULI", "istanbuli"]
    for text in _random_texts(words, 500, seed=11):
        assert fast.match(text, index.keys(text)) == plain.match(text), text
        assert fast.match(text, index.keys(text)).places == _plain_places(places, text), text
