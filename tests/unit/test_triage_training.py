"""Training: how the sets are weighted and where the calibration cuts."""

from __future__ import annotations

from council_social.triage.datasets import RANDOM_TWEETS_WEIGHT, LabelledTexts, by_source
from council_social.triage.training import best_threshold


def test_the_random_tweets_are_a_set_of_their_own_weighted_down():
    data = LabelledTexts("complaints", ["late again", "nice day", "new phone"], [1, 0, 0],
                         ["food", "random_tweet", "random_reply"])
    companies, random_tweets = by_source(data)
    assert (companies.texts, companies.weight) == (["late again"], 1.0)
    assert random_tweets.texts == ["nice day", "new phone"]
    assert random_tweets.weight == RANDOM_TWEETS_WEIGHT < 1.0


def test_the_threshold_counts_each_row_at_its_training_weight():
    import numpy as np

    p = np.asarray([0.9, 0.6, 0.6, 0.6, 0.6, 0.2])
    y = [1, 1, 0, 0, 0, 0]
    assert best_threshold(p, y)[0] > 0.6  # three false alarms outweigh one more hit
    light = [1.0, 1.0, 0.1, 0.1, 0.1, 1.0]
    assert best_threshold(p, y, light)[0] <= 0.6  # at a tenth each, they do not


def test_the_naive_bayes_ratio_favours_each_class_terms_at_their_weight():
    from scipy.sparse import csr_matrix

    from council_social.triage.training import nb_ratio

    # columns: "late" (in both critical rows), "lovely" (in the other row), "bin" (in all)
    x = csr_matrix([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    r = nb_ratio(x, [1, 1, 0], [1.0, 1.0, 1.0])
    assert r[0] > 0 > r[1]
    assert abs(r[2]) < abs(r[0])
    # the other row at a tenth of the weight says less about "lovely"
    assert nb_ratio(x, [1, 1, 0], [1.0, 1.0, 0.1])[1] > r[1]


def test_a_fitted_model_scores_plain_columns_as_the_regression_saw_scaled_ones():
    import numpy as np
    from scipy.sparse import csr_matrix, diags, hstack
    from sklearn.linear_model import LogisticRegression

    from council_social.triage import training
    from council_social.triage.criticality import normalise

    # each text three times: the vectorizers keep only terms found in two or three texts
    texts = ["bin not collected again", "still waiting for a reply", "lovely park today",
             "thanks for the quick repair", "third week the bin was missed", "great library"] * 3
    labels = [1, 1, 0, 0, 1, 0] * 3
    weights = [1.0, 1.0, 1.0, 0.5, 1.0, 1.0] * 3
    dense = np.asarray([[0.5, 0.0], [0.65, 0.0], [0.0, 0.5], [0.0, 0.5], [0.55, 0.0],
                        [0.0, 0.5]] * 3)
    vecs, lr = training._fit(texts, dense, labels, weights)
    text_columns = hstack([v.transform([normalise(t) for t in texts]) for v in vecs]).tocsr()
    scale = np.concatenate([training.nb_ratio(text_columns, labels, weights), np.ones(2)])
    x = hstack([text_columns, csr_matrix(dense)]).tocsr()
    direct = LogisticRegression(C=training.C, max_iter=5000).fit(x @ diags(scale), labels,
                                                                 sample_weight=weights)
    assert np.allclose(training._decision(vecs, lr, texts, dense),
                       direct.decision_function(x @ diags(scale)))
    assert (training._decision(vecs, lr, texts, dense) > 0).tolist() == [bool(y) for y in labels]


def test_the_praise_head_learns_only_from_rows_labelled_for_it():
    import numpy as np
    from scipy.sparse import csr_matrix

    from council_social.triage import training

    # columns: "lovely", "late"; the second set has no praise labels and is left out
    praised = LabelledTexts("praise", [f"lovely {i}" for i in range(20)] + [f"late {i}" for i in range(20)],
                            [0] * 20 + [1] * 20, praise=[1] * 20 + [0] * 20)
    other = LabelledTexts("other", ["late x", "lovely y"], [1, 0])
    x = csr_matrix(np.asarray([[1.0, 0.0]] * 20 + [[0.0, 1.0]] * 20 + [[0.0, 1.0], [1.0, 0.0]]))
    head = training._fit_praise_head(x, [praised, other])
    assert head["rows"] == 40 and head["praise"] == 20 and head["cut"] == training.PRAISE_CUT
    assert head["coef"][0] > 0 > head["coef"][1]
    assert 0 < head["held_out"]["rows"] < 40
    none = LabelledTexts("none", ["a", "b"], [0, 1], praise=[1, 1])
    assert training._fit_praise_head(csr_matrix(np.eye(2)), [none]) is None  # one class only
