"""The fast VADER-lexicon scorer and the regex gate (pure functions)."""

from __future__ import annotations

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
