"""Label suggestions: smallest top-two margin first, near-duplicates not asked twice."""

from __future__ import annotations

import numpy as np

from classifier.suggestions import rank_for_labelling, top_guesses, top_two_margin


def test_the_closest_call_comes_first() -> None:
    probabilities = np.array([[0.9, 0.1, 0.0], [0.4, 0.35, 0.25], [0.6, 0.3, 0.1]])
    embeddings = np.eye(3)

    np.testing.assert_allclose(top_two_margin(probabilities), [0.8, 0.05, 0.3])
    assert rank_for_labelling(probabilities, embeddings, count=2) == [1, 2]


def test_a_near_duplicate_waits_behind_the_other_songs() -> None:
    probabilities = np.array([[0.5, 0.5], [0.51, 0.49], [0.7, 0.3]])
    embeddings = np.array([[1.0, 0.0], [0.999, 0.01], [0.0, 1.0]])

    assert rank_for_labelling(probabilities, embeddings, count=2) == [0, 2]
    assert rank_for_labelling(probabilities, embeddings, count=3) == [0, 2, 1]


def test_top_guesses_are_ordered_by_probability() -> None:
    guesses = top_guesses({"jazz": 0.2, "rock": 0.5, "pop": 0.3}, count=2)

    assert [(g.genre, g.probability) for g in guesses] == [("rock", 0.5), ("pop", 0.3)]
