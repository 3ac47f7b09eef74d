"""Grouped cross-validation, calibration and neighbour purity: the figures Timbre reports."""

from __future__ import annotations

import numpy as np

from classifier.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    unsure_threshold,
)
from classifier.crossval import group_key, grouped_folds, neighbour_purity
from classifier.nonmusic import MusicReference


def test_an_artist_never_sits_on_both_sides_and_a_one_artist_genre_is_not_scored() -> None:
    # genre 0: four artists, genre 1: three artists, genre 2: all songs by one artist.
    labels = [0] * 8 + [1] * 6 + [2] * 5
    groups = [f"artist:a{i // 2}" for i in range(8)] + [f"artist:b{i // 2}" for i in range(6)]
    groups += ["artist:solo"] * 5

    folds = grouped_folds(labels=labels, groups=groups, n_folds=3, seed=0)

    assert folds.level == "artist"
    assert folds.groups_per_genre == {0: 4, 1: 3, 2: 1}
    assert folds.unmeasured == [2]
    tested = np.concatenate([test for _, test in folds.folds])
    assert sorted(tested) == list(range(14))  # every measurable song scored once
    for train, test in folds.folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        assert set(range(14, 19)) <= set(train)  # the one-artist genre is always trained on


def test_without_artists_the_folds_group_by_song() -> None:
    labels = [0] * 4 + [1] * 4
    groups = [group_key(song_id=i) for i in range(8)]

    folds = grouped_folds(labels=labels, groups=groups, n_folds=4, seed=0)

    assert folds.level == "song"
    assert len(folds.folds) == 4


def test_group_key_prefers_artist_then_album_then_song() -> None:
    assert group_key(song_id=1, artist=" Bob Marley ", album="Exodus") == "artist:bob marley"
    assert group_key(song_id=1, album="Exodus") == "album:exodus"
    assert group_key(song_id=7) == "song:7"


def test_temperature_scaling_fixes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    correct = rng.random(400) < 0.7  # right 70 % of the time, yet 99 % sure
    predicted = np.where(correct, labels, 1 - labels)
    probabilities = np.full((400, 2), 0.01)
    probabilities[np.arange(400), predicted] = 0.99

    temperature = fit_temperature(probabilities, labels)
    calibrated = apply_temperature(probabilities, temperature)

    assert temperature > 1
    assert expected_calibration_error(probabilities, labels) > 0.25
    assert expected_calibration_error(calibrated, labels) < 0.05
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)


def test_unsure_threshold_sits_above_the_guesses_that_were_mostly_wrong() -> None:
    probabilities = np.array([[0.4, 0.6], [0.45, 0.55], [0.1, 0.9], [0.05, 0.95]])
    labels = np.array([0, 0, 1, 1])  # the two least confident guesses were wrong

    assert unsure_threshold(probabilities, labels) == 0.9


def test_neighbour_purity_counts_same_genre_neighbours() -> None:
    scores = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]])
    labels = np.array([0, 0, 1])

    assert neighbour_purity(scores, labels, queries=np.array([0, 1]), k=1) == 1.0
    assert neighbour_purity(scores, labels, queries=np.array([2]), k=1) == 0.0


def test_folds_never_outnumber_the_largest_genre() -> None:
    labels = [0, 0, 0, 1, 1, 1]

    folds = grouped_folds(labels=labels, groups=[f"song:{i}" for i in range(6)], n_folds=5)

    assert len(folds.folds) == 3


def test_not_music_detector_flags_what_is_far_from_every_labelled_song() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16)) * 3
    library = np.concatenate([c + rng.normal(size=(10, 16)) for c in centres])
    reference = MusicReference.fit(library)

    near = reference.score(centres[1] + rng.normal(size=16))
    far = reference.score(-centres.sum(axis=0) + 5 * rng.normal(size=16))

    assert not reference.is_not_music(near)
    assert reference.is_not_music(far)
    assert far > near
