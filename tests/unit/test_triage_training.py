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
