"""Cue lexicons and the intent checks: what they find, in any case, whole words only."""

from __future__ import annotations

import json

import pytest

from council_social.triage.cues import COMPLAINT, PRAISE, lexicon, noisy_or
from council_social.triage.intent import (
    ABUSE,
    EMERGENCY,
    abuse_score,
    classify_intent,
    emergency_score,
    is_foi,
    is_question,
)


@pytest.mark.parametrize("text,cues", [
    ("STILL WAITING for a reply", {"still_waiting"}),
    ("sTiLl NoT fixed", {"still_waiting", "missed"}),  # overlapping, from two word starts
    ("Reported it twice and NOBODY CAME", {"reported", "no_reply"}),
    ("3RD WEEK of this", {"nth_time"}),
    ("thanks for nothing", {"sarcasm"}),
    ("lovely day", set()),
    ("x_still waiting", set()),  # not at a word start
    ("still waitingly", set()),  # not at a word end
    ("", set()),
])
def test_complaint_cues_found_in_any_case_as_whole_words(text, cues):
    assert set(COMPLAINT.matches(text)) == cues


def test_matches_come_in_lexicon_order_with_their_weights():
    text = "Ignored again. Still waiting, no reply, third week. Not good enough"
    found = COMPLAINT.matches(text)
    assert list(found) == [n for n in COMPLAINT.names if n in found]
    assert found == {n: COMPLAINT.weights[n] for n in found}
    assert json.loads(json.dumps(found)) == found


def test_overlapping_cues_are_each_counted_once():
    lex = lexicon([("a", r"not fixed", 0.5), ("b", r"fixed yet", 0.5), ("c", r"not fixed yet", 0.5)])
    # from two word starts both count; at one word start the first entry does
    assert lex.matches("Not fixed yet, not fixed") == {"a": 0.5, "b": 0.5}


def test_capturing_groups_are_refused():
    with pytest.raises(ValueError, match="capturing"):
        lexicon([("a", r"(not) fixed", 0.5)])


def test_noisy_or():
    assert noisy_or({}) == 0.0
    assert noisy_or({"a": 0.5}) == 0.5
    assert noisy_or({"a": 0.5, "b": 0.5}) == pytest.approx(0.75)


def test_praise_cues():
    assert "thanks" in PRAISE.matches("Thank you SO MUCH for sorting it")
    assert "fixed" in PRAISE.matches("pothole fixed so quickly")


def test_abuse_and_emergency_scores_are_the_noisy_or_of_their_cues():
    assert abuse_score("idiots, bloody idiots, I'll kill you") == (
        pytest.approx(1.0 - 0.3 * 0.6 * 0.0), ["insult", "profanity", "threat"])
    score, names = emergency_score("gas leak and a fire in the bin store, urgent")
    assert names == ["fire", "gas", "urgent"]
    assert score == pytest.approx(1.0 - 0.0 * 0.0 * 0.7)
    assert EMERGENCY.matches("GAS LEAK") == {"gas": 1.0}
    assert abuse_score("a lovely park") == (0.0, [])
    assert set(ABUSE.names) == {"insult", "profanity", "threat", "contempt"}


@pytest.mark.parametrize("text,expected", [
    ("FOI REQUEST please", True), ("Request For The Freedom pass data", True),
    ("under the freedom of information act", True), ("foiable", False), ("xfoi", False),
])
def test_foi_in_any_case(text, expected):
    assert is_foi(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("@Brent_Council HOW do I", True), ("@Brent_Council Does Anyone know", True),
    ("bins today?", True), ("Hi, when is the tip open", True), ("Nice day", False),
    ("this is great", False),
])
def test_questions(text, expected):
    assert is_question(text) is expected


def test_classify_intent_order():
    calm = dict(critical=False, complaint_cues=0.0, praise=0.0, abusive=0.0, emergency=0.0,
                has_topic=False)
    assert classify_intent("FOI please, how many?", **calm) == "foi_request"
    assert classify_intent("x", **{**calm, "emergency": 0.9, "abusive": 0.9}) == "emergency"
    assert classify_intent("x", **{**calm, "abusive": 0.7}) == "abuse"
    # insults alongside a real complaint about a service: the complaint is the message
    assert classify_intent("x", **{**calm, "abusive": 0.7, "complaint_cues": 0.6,
                                   "has_topic": True}) == "complaint"
    assert classify_intent("x", **{**calm, "critical": True}) == "complaint"
    assert classify_intent("thanks?", **{**calm, "praise": 0.5}) == "praise"
    assert classify_intent("Nice day", **calm) == "general_comment"
