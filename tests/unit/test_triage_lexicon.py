"""The fast VADER-lexicon scorer and the regex gate (pure functions)."""

from __future__ import annotations

import random
import re

import pytest

from council_social.triage import lexicon
from council_social.triage.criticality import vader_scores
from council_social.triage.cues import COMPLAINT
from council_social.triage.gate import Gate, GatedAlternation, prefixes, text_keys


def compound(text: str) -> float:
    return lexicon.polarity(text)["compound"]


def test_negation_flips_within_three_tokens():
    assert compound("the service is good") > 0.3
    assert compound("the service is not good") < 0
    assert compound("the service isn't good") < 0
    assert compound("never very helpful") < 0
    # Too far away: four tokens between the negator and the word.
    assert compound("not that the crew were really ever helpful") > 0


def test_booster_and_caps_raise_intensity():
    plain, boosted = compound("the repair was bad"), compound("the repair was very bad")
    assert boosted < plain < 0
    assert compound("the repair was BAD") < plain  # ALL CAPS among lower case


def test_but_shifts_weight_to_the_second_clause():
    assert compound("the staff were lovely but the flat is still awful") < 0
    assert compound("the flat is awful but the staff were lovely") > 0


def test_punctuation_emphasis_and_normalisation():
    assert compound("awful!!!") < compound("awful") < 0
    assert -1.0 <= compound("terrible horrible awful disgusting dreadful") <= -0.9
    assert lexicon.polarity("") == {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0, "caps": 0.0}


@pytest.mark.parametrize("text", [
    "The service is not good", "The service is VERY good", "never helpful",
    "I am not unhappy", "the bins are GREAT but the staff are rude", "awful!!!",
])
def test_agrees_with_vader_on_plain_sentences(text):
    assert compound(text) == pytest.approx(vader_scores(text)["compound"], abs=0.01)


# Exact scores (repr keeps -0.0 apart from 0.0) of the scorer before it remembered chunks,
# which tokenised the whole text with one _TOKEN.findall.
EXACT = [
    ("The bins were not collected AGAIN and the staff are RUDE!!!",
     "{'neg': 0.315, 'neu': 0.685, 'pos': 0.0, 'compound': -0.6817, 'caps': 0.182}"),
    ("Great service, thank you",
     "{'neg': -0.0, 'neu': 0.233, 'pos': 0.767, 'compound': 0.765, 'caps': 0.0}"),
    ("The repair was BAD, the smell AWFUL",
     "{'neg': 0.614, 'neu': 0.386, 'pos': 0.0, 'compound': -0.8388, 'caps': 0.286}"),
    ("GOOD",
     "{'neg': -0.0, 'neu': 0.0, 'pos': 1.0, 'compound': 0.4404, 'caps': 1.0}"),
    ("Lovely staff but the flat is still awful??",
     "{'neg': 0.342, 'neu': 0.47, 'pos': 0.188, 'compound': -0.4515, 'caps': 0.0}"),
    ("no problem at all",
     "{'neg': -0.0, 'neu': 0.571, 'pos': 0.429, 'compound': 0.3089, 'caps': 0.0}"),
    ("NO REPLY. NOTHING.",
     "{'neg': 0.524, 'neu': 0.476, 'pos': 0.0, 'compound': -0.296, 'caps': 1.0}"),
    ("It isn\u2019t good \U0001f644 and I\u2019m upset",
     "{'neg': 0.385, 'neu': 0.615, 'pos': 0.0, 'compound': -0.6131, 'caps': 0.0}"),
    ("\U0001f600 bad \U0001f622 good",
     "{'neg': 0.471, 'neu': 0.143, 'pos': 0.386, 'compound': -0.296, 'caps': 0.0}"),
    ("kind of bad, at least not terrible",
     "{'neg': 0.317, 'neu': 0.452, 'pos': 0.231, 'compound': -0.2373, 'caps': 0.0}"),
    ("\u0130 love it \u00a0 so very much",
     "{'neg': -0.0, 'neu': 0.543, 'pos': 0.457, 'compound': 0.6369, 'caps': 0.167}"),
    ("Bad\tsmell\nin the\u2028hallway\u3000today :( <3",
     "{'neg': 0.448, 'neu': 0.35, 'pos': 0.203, 'compound': -0.5423, 'caps': 0.0}"),
    ("the council",
     "{'neg': -0.0, 'neu': 1.0, 'pos': 0.0, 'compound': 0.0, 'caps': 0.0}"),
    ("!!! ???",
     "{'neg': 0.0, 'neu': 0.0, 'pos': 0.0, 'compound': 0.0, 'caps': 0.0}"),
    ("\u03a3\u039f\u03a6\u039f\u03a3 good",
     "{'neg': -0.0, 'neu': 0.256, 'pos': 0.744, 'compound': 0.4404, 'caps': 0.5}"),
    ("hasn't it been a good week :-) ;)",
     "{'neg': -0.0, 'neu': 0.413, 'pos': 0.587, 'compound': 0.7269, 'caps': 0.0}"),
    ("I AM not happy",
     "{'neg': 0.5, 'neu': 0.5, 'pos': 0.0, 'compound': -0.4585, 'caps': 0.5}"),
    ("",
     "{'neg': 0.0, 'neu': 0.0, 'pos': 0.0, 'compound': 0.0, 'caps': 0.0}"),
    ("Bad\tsmell\n\nin the  hallway\x0btoday :( <3",
     "{'neg': 0.448, 'neu': 0.35, 'pos': 0.203, 'compound': -0.5423, 'caps': 0.0}"),
    ("well,this,was,GOOD,not,bad!",
     "{'neg': -0.0, 'neu': 0.253, 'pos': 0.747, 'compound': 0.8349, 'caps': 0.167}"),
    ("Staff:great;bins:AWFUL",
     "{'neg': 0.38, 'neu': 0.203, 'pos': 0.417, 'compound': 0.0943, 'caps': 0.25}"),
]


@pytest.mark.parametrize(("text", "scores"), EXACT)
def test_exact_scores_with_a_cold_warm_or_tiny_chunk_memo(text, scores, monkeypatch):
    lexicon._chunks.clear()
    assert repr(lexicon.polarity(text)) == scores  # every chunk new
    assert repr(lexicon.polarity(text)) == scores  # every chunk remembered
    monkeypatch.setattr(lexicon, "_CHUNK_LIMIT", 1)  # the memo starts afresh at each new chunk
    lexicon._chunks.clear()
    assert repr(lexicon.polarity(text)) == scores
    assert len(lexicon._chunks) <= 1


def test_what_splitting_at_whitespace_relies_on():
    _, emoji = lexicon._data()
    letter_or_digit = re.compile(r"[^\W_]")
    for char in map(chr, range(0x110000)):
        assert char.isalnum() == bool(letter_or_digit.match(char))
        if char.isspace():
            assert char not in emoji
            assert lexicon._TOKEN.findall(f"a{char}:{char})") == ["a"]


def plain_tokens(text: str) -> list[str]:
    """A text's tokens as one findall over the whole text, then its emoji's descriptions'."""
    _, emoji = lexicon._data()
    tokens = lexicon._TOKEN.findall(text)
    described = [emoji[ch] for ch in text if ch in emoji]
    return tokens + lexicon._TOKEN.findall(" ".join(described))


TRICKY = [
    "", " ", "\t\n", "word", "  two   words  ", "a\u00a0b\u2028c\u3000d\x1ce\x85f",
    "don't\tWON'T\u00a0can't", "NOT good!!! ??", ":) :-( <3 ;P 8-) (: ]:", "x:)y", "a_b-c'd__e",
    "\u0130stanbul \u0130", "\u03a3\u039f\u03a6\u039f\u03a3 \u1f88 \u01c5", "caf\u00e9 na\u00efve",
    "\U0001F600\U0001F622 bad\U0001F644good \u2764\ufe0f", "\u00bd \u00b2 \u0663 #12 \u00a320",
    "kind of", "at least no", "but but BUT", "very VERY good",
]


def chunk_tokens(text: str) -> tuple[list[str], list[str], int]:
    """The tokens, lowercased tokens and summed counts polarity() gets from chunks."""
    parts = [lexicon._chunks[chunk] for chunk in text.split()]
    return (lexicon._joined(parts, 1, text.isascii()), lexicon._joined(parts, 2, text.isascii()),
            sum(part[0] for part in parts))


def random_texts(count: int) -> list[str]:
    rnd = random.Random(5)
    lex, emoji = lexicon._data()
    pieces = (list(" \t\n\u00a0\u2028\u3000\x1c'-_:;()<>3DPp8=!?#.,") + ["\u0130", "\u03a3", "\u01c5"]
              + rnd.sample(sorted(emoji), 30) + rnd.sample(sorted(lex), 60) + sorted(lexicon._CONTEXT)
              + ["n't", "N'T", "Good", "BAD"])
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 20))) for _ in range(count)]


@pytest.mark.parametrize("text", TRICKY + random_texts(300))
def test_chunks_give_the_whole_text_tokens_and_counts(text):
    lex = lexicon._data()[0]
    tokens, lower, counts = chunk_tokens(text)
    expected = plain_tokens(text)
    assert tokens == expected
    assert lower == [t.lower() for t in expected]
    context = any(w in lexicon._CONTEXT or "n't" in w for w in lower)
    field = lexicon._FIELD
    assert (counts & field, counts >> 64 & field, counts >> 128 & field, bool(counts >> 192)) == (
        len(tokens), sum(map(str.isupper, tokens)), sum(w in lex for w in lower), context)


@pytest.mark.parametrize("text", TRICKY + random_texts(300))
def test_valences_without_context_words_are_what_the_rules_give(text):
    tokens, lower, counts = chunk_tokens(text)
    if counts >> 192 or not text.isascii():
        return  # polarity() applies the rules themselves
    parts = [lexicon._chunks[chunk] for chunk in text.split()]
    for cap_diff in (False, True):
        precomputed = [v for part in parts for v in part[6 if cap_diff else 5]]
        ruled = lexicon._valences_in_context(lower, tokens, cap_diff, lexicon._data()[0])
        assert (precomputed, 0) == ruled


def test_prefixes_cover_alternatives_and_digits():
    assert prefixes(r"still (?:waiting|no)") == frozenset({"stil"})
    assert prefixes(r"rats?|mice") == frozenset({"rat", "rats", "mice"})
    assert "0 we" in prefixes(r"\d+ weeks?")
    assert prefixes(r"\w+ing") is None  # could start anywhere: always run


def test_gate_only_skips_regexes_that_cannot_match():
    patterns = [r"no (?:reply|answer)", r"still waiting", r"\d+ weeks?", r"rats?"]
    gate = Gate(patterns)
    texts = ["No reply after 3 weeks", "still   waiting", "RATS in the bin store", "all fine", "rat"]
    for text in texts:
        found = {i for i, p in enumerate(patterns)
                 if re.search(rf"(?<![\w])(?:{p})(?![\w])", text, re.IGNORECASE)}
        assert found <= gate.candidates(text_keys(text))
    assert gate.candidates(text_keys("all fine")) == set()


def test_gated_alternation_matches_like_the_full_one():
    alt = GatedAlternation(["missed[\\s-]+collection", "collection", "bin"],
                           r"(?<![\w])(?:{body})s?(?![\w])")
    text = "Missed collection again, two bins, no collections"
    assert ([m.group(0) for m in alt.finditer(text)]
            == [m.group(0) for m in alt.full.finditer(text)]
            == ["Missed collection", "bins", "collections"])


def test_complaint_cues_found_anywhere():
    found = COMPLAINT.matches("Still waiting, third week, no reply. Not good enough.")
    assert {"still_waiting", "nth_time", "no_reply", "negative_eval"} <= set(found)
