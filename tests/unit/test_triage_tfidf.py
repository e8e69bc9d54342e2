"""The TF-IDF weights triage computes without scikit-learn are scikit-learn's own."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from council_social.triage import criticality as crit
from council_social.triage.tfidf import TfidfFeatures, supports

LABELLED = Path(__file__).resolve().parents[1] / "data" / "council_labelled.jsonl"
TEXTS = [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines()]

# Short words, runs of white space, tabs and newlines, "?" and "!", apostrophes, non-Latin
# letters and lone surrogates: where n-gram making goes wrong if it differs at all.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=())),
    st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\u00a0\u3000?!'a bcdefghij"
                                          "\u00e9\u0130\U0001F621"))),
    st.lists(st.sampled_from(TEXTS[:40] + ["a", "ab", "abc", " ", "  ", "?!"])).map(" ".join),
)


@pytest.fixture(scope="module")
def model():
    return crit.load_model()


def _both(model, index: int):
    stored = model.vectorizers[index]
    light = TfidfFeatures(stored["settings"], stored["vocabulary"], stored["idf"])
    sk = crit.make_vectorizer(stored["settings"], stored["vocabulary"], stored["idf"])
    return light, sk


def _assert_same_rows(light, sk, texts: list[str]) -> None:
    matrix = sk.transform(texts).tocsr()
    for row, text in enumerate(texts):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        expected = dict(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(),
                            strict=True))
        got = light.weights(text)
        assert got.keys() == expected.keys(), text
        for column, value in expected.items():
            assert got[column] == pytest.approx(value, rel=1e-12, abs=1e-15), (text, column)


@pytest.mark.parametrize("index", [0, 1], ids=["word", "char_wb"])
def test_the_shipped_vectorizers_weigh_the_council_texts_as_scikit_learn(model, index):
    light, sk = _both(model, index)
    texts = [crit.normalise(t) for t in TEXTS]
    _assert_same_rows(light, sk, texts)
    assert any(light.weights(t) for t in texts)


@pytest.mark.parametrize("index", [0, 1], ids=["word", "char_wb"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_text_weighs_as_scikit_learn(model, index, text):
    light, sk = _both(model, index)
    _assert_same_rows(light, sk, [text])


@pytest.mark.parametrize("settings_", [
    {"analyzer": "word", "ngram_range": [1, 3]},
    {"analyzer": "word", "ngram_range": [2, 2], "sublinear_tf": False},
    {"analyzer": "char_wb", "ngram_range": [2, 5], "sublinear_tf": True},
    {"analyzer": "word", "ngram_range": [1, 1], "token_pattern": r"(\w+)!"},
])
def test_other_settings_fitted_on_the_council_texts_weigh_as_scikit_learn(settings_):
    texts = [crit.normalise(t) for t in TEXTS]
    fitted = crit.make_vectorizer(settings_)
    fitted.fit(texts[::2])
    vocabulary = {k: int(v) for k, v in fitted.vocabulary_.items()}
    light = TfidfFeatures(settings_, vocabulary, fitted.idf_.tolist())
    _assert_same_rows(light, fitted, texts[1::2])


def test_the_model_scores_as_it_did_through_scikit_learn(model):
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    texts = random.Random(29).sample(TEXTS, 200) + ["", "a b", "\U0001F621", "https://t.co/x"]
    dense = crit.dense_rows(model.dense, texts, [crit.cue_scores(t) for t in texts])
    vecs = [crit.make_vectorizer(v["settings"], v["vocabulary"], v["idf"])
            for v in model.vectorizers]
    plain = [crit.normalise(t) for t in texts]
    x = hstack([*(v.transform(plain) for v in vecs), csr_matrix(dense)]).tocsr()
    expected = (x @ np.asarray(model.coef) + model.intercept).tolist()
    assert model.decision(texts, dense) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_settings_it_cannot_reproduce_are_left_to_scikit_learn():
    assert supports({"analyzer": "word", "ngram_range": [1, 2]})
    assert not supports({"analyzer": "char", "ngram_range": [3, 3]})
    assert not supports({"analyzer": "word", "stop_words": "english"})
    assert not supports({"analyzer": "word", "norm": "l1"})
    with pytest.raises(ValueError, match="not supported"):
        TfidfFeatures({"analyzer": "char"}, {}, [])


def test_a_model_with_settings_it_cannot_reproduce_is_scored_through_scikit_learn(model):
    from dataclasses import replace

    # strip_accents=None changes nothing but is not a setting tfidf knows: sklearn scores it.
    odd = replace(model, vectorizers=[{**v, "settings": {**v["settings"], "strip_accents": None}}
                                      for v in model.vectorizers], _fitted=None)
    texts = TEXTS[:50]
    dense = crit.dense_rows(model.dense, texts, [crit.cue_scores(t) for t in texts])
    assert not hasattr(odd._parts()[0][0], "weights")
    assert odd.decision(texts, dense) == pytest.approx(model.decision(texts, dense), rel=1e-12)
