"""The praise head, the dense columns a model names, and `critical` as the intent qualifies it."""

from __future__ import annotations

import json

import pytest

from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage.datasets import LabelledTexts, by_source
from council_social.triage.engine import TriageInput, TriageRules, critical_for_intent, triage_batch


@pytest.fixture(scope="module")
def model():
    return crit.load_model(None)


def triage(texts, model):
    return triage_batch([TriageInput(text=t) for t in texts],
                        TriageRules.from_config(load_config()), model)


def test_the_shipped_model_has_a_praise_head_and_says_what_it_found(model):
    assert crit.PRAISE_HEAD in model.heads
    result = triage(["So happy with how the new library looks, it made my week"], model)[0]
    assert 0.0 <= result.inputs["praise_p"] <= 1.0
    json.dumps(result.inputs)


def test_praise_without_a_thank_you_needs_no_action(model):
    texts = ["What a gorgeous morning in Gladstone Park, feeling so lucky to live here",
             "Can't wait for the festival this weekend, going to be amazing!"]
    for result in triage(texts, model):
        assert result.intent == "praise" and not result.critical
        assert result.outcome == "monitor"


def test_complaints_are_not_taken_for_praise(model):
    texts = ["@Brent_Council still waiting for my bin, third week",
             "Great, bins missed again. Thanks for nothing",
             "Reported the leak twice and nobody has been round"]
    for result in triage(texts, model):
        assert result.intent == "complaint" and result.outcome != "monitor"


def test_a_model_without_heads_scores_as_before(model):
    plain = crit.CriticalityModel(**{**model.to_json(), "heads": {}})
    text = "So happy with how the new library looks"
    got = crit.score_batch([text], plain)[0]
    assert got.praise_p is None and got.praise_signal == got.praise
    assert got.score == crit.score_batch([text], model)[0].score  # the head only adds


def test_a_head_at_its_cut_is_one_half(model):
    head = model.heads[crit.PRAISE_HEAD]
    zero = crit.CriticalityModel(**{**model.to_json(), "heads": {
        "praise": {**head, "coef": [0.0] * len(head["coef"]), "intercept": crit.logit(head["cut"])}}})
    assert crit.score_batch(["anything at all"], zero)[0].praise_p == pytest.approx(0.5)


def test_dense_columns_follow_the_model(model):
    cues = [crit.cue_scores("still waiting, awful")]
    assert crit.dense_rows(("cue_score", "praise_score"), ["still waiting, awful"], cues) == [
        [cues[0][0], cues[0][1]]]
    vader = crit.dense_rows(("vader_compound", "cue_score"), ["still waiting, awful"], cues)
    assert vader[0][0] < 0 and vader[0][1] == cues[0][0]
    odd = crit.CriticalityModel(**{**model.to_json(), "dense": ["cue_score", "mystery"]})
    with pytest.raises(ValueError, match="other features"):
        crit.score_batch(["x y"], odd)


@pytest.mark.parametrize("intent,critical,cues,expected", [
    ("praise", True, 0.0, False),
    ("emergency", True, 0.0, False),       # a gas leak criticises no one
    ("emergency", True, 0.6, True),        # "reported it twice, nobody came"
    ("foi_request", True, 0.0, False),
    ("foi_request", False, 0.9, False),
    ("abuse", False, 0.0, True),           # insults are criticism
    ("complaint", True, 0.0, True),
    ("question", False, 0.0, False),
])
def test_critical_as_the_intent_qualifies_it(intent, critical, cues, expected):
    assert critical_for_intent(intent, critical, cues) is expected


def test_praise_labels_travel_with_their_rows():
    data = LabelledTexts("complaints", ["late again", "thanks a lot", "nice day"], [1, 0, 0],
                         ["food", "food", "random_tweet"])
    companies, random_tweets = by_source(data)
    assert companies.praise == [0, -1]  # a complaint is not praise; thanks is not labelled
    assert random_tweets.praise == []
    assert companies.subset([False, True]).praise == [-1]
    with pytest.raises(ValueError, match="differ in length"):
        LabelledTexts("x", ["a"], [0], praise=[1, 0])


def test_the_model_card_names_the_praise_head(model):
    from council_social.triage.registry import model_card

    card = model_card(model, crit.SHIPPED_MODEL)
    assert "vader_compound" in card
    head = model.heads[crit.PRAISE_HEAD]
    assert f"praise head   logistic regression on the same columns, cut {head['cut']}" in card
    assert f"F0.5 {head['held_out']['f_beta']:.3f}" in card
