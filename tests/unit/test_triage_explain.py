"""The words and cues that pushed a post to critical (criticality.pushed_by), in its decision."""

from __future__ import annotations

import json

from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage.engine import TriageInput, TriageRules, triage_batch

COMPLAINT = "The potholes on Harrow Road are a disgrace, nobody ever fixes anything"


def triage(text: str):
    config = load_config()
    return triage_batch([TriageInput(text=text)], TriageRules.from_config(config),
                        crit.load_model(None))[0]


def test_a_critical_post_names_the_words_that_pushed_it_strongest_first():
    result = triage(COMPLAINT)
    assert result.critical
    words = result.inputs["critical_words"]
    assert 1 <= len(words) <= crit.EXPLAIN_TOP
    weights = [w for _, w in words]
    assert all(w > 0 for w in weights) and weights == sorted(weights, reverse=True)
    plain = crit.normalise(COMPLAINT)
    assert all(term in plain or term.startswith("complaint cues") or term == "tone (VADER)"
               for term, _ in words)
    assert "pushed by" in result.decision.explanation
    assert f'"{words[0][0]}"' in result.decision.explanation
    json.dumps(result.inputs)  # stored as JSONB


def test_taking_out_the_strongest_word_lowers_the_score():
    result = triage(COMPLAINT)
    top = next(t for t, _ in result.inputs["critical_words"] if t in crit.normalise(COMPLAINT))
    without = crit.normalise(COMPLAINT).replace(top, "road")
    assert triage(without).criticality < result.criticality


def test_a_post_below_the_cut_names_nothing():
    result = triage("Thank you to the library staff, brilliant help with my son's homework today")
    assert not result.critical
    assert "critical_words" not in result.inputs and "pushed by" not in result.decision.explanation


def test_without_the_model_nothing_is_named():
    config = load_config()
    config.triage.use_model = False
    result = triage_batch([TriageInput(text=COMPLAINT)], TriageRules.from_config(config),
                          crit.load_model(None))[0]
    assert "critical_words" not in result.inputs
