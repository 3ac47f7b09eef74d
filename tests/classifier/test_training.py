"""Splitting by song, fitting with early stopping and track metrics."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from classifier.nets.head import build_genre_head
from classifier.training import (
    TrainingDataError,
    evaluate_tracks,
    fit_classifier,
    save_confusion_matrix_png,
    split_by_song,
)

GENRES = ("blues", "classical", "jazz", "metal")


def _songs(per_genre: int = 10) -> tuple[list[int], list[str]]:
    ids = list(range(100, 100 + per_genre * len(GENRES)))
    labels = [GENRES[i % len(GENRES)] for i in range(len(ids))]
    return ids, labels


# ---------------------------------------------------------------------------------------------
# split_by_song


def test_split_keeps_each_song_on_one_side_and_every_genre_everywhere() -> None:
    ids, labels = _songs(per_genre=10)
    label_of = dict(zip(ids, labels, strict=True))

    split = split_by_song(song_ids=ids, labels=labels, seed=0)

    parts = [set(split.train), set(split.validation), set(split.test)]
    assert sorted(split.train + split.validation + split.test) == ids
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    for part in parts:
        assert {label_of[s] for s in part} == set(GENRES)
    # 40 songs at 15 % / 15 %: 6 validation and 6 test songs overall.
    assert (len(split.train), len(split.validation), len(split.test)) == (28, 6, 6)


def test_split_of_gtzan_sized_library_is_70_15_15_and_stratified() -> None:
    ids = list(range(100))
    labels = [f"genre{i % 10}" for i in ids]

    split = split_by_song(song_ids=ids, labels=labels, seed=3)

    assert (len(split.train), len(split.validation), len(split.test)) == (70, 15, 15)
    train_per_genre = np.bincount([i % 10 for i in split.train])
    assert set(train_per_genre.tolist()) <= {6, 7, 8}


def test_split_is_deterministic_per_seed() -> None:
    ids, labels = _songs()

    first = split_by_song(song_ids=ids, labels=labels, seed=7)
    again = split_by_song(song_ids=list(reversed(ids)), labels=list(reversed(labels)), seed=7)
    other = split_by_song(song_ids=ids, labels=labels, seed=8)

    assert first == again
    assert first != other


def test_split_names_the_genre_with_too_few_songs() -> None:
    ids, labels = _songs(per_genre=5)
    ids += [900, 901]
    labels += ["polka", "polka"]

    with pytest.raises(TrainingDataError, match=r'"polka" has 2') as error:
        split_by_song(song_ids=ids, labels=labels, seed=0)
    assert "at least 3" in str(error.value)
    assert "jazz" not in str(error.value)


def test_split_of_three_songs_per_genre_uses_one_each() -> None:
    ids, labels = _songs(per_genre=3)

    split = split_by_song(song_ids=ids, labels=labels, seed=0)

    assert len(split.train) == len(split.validation) == len(split.test) == len(GENRES)


# ---------------------------------------------------------------------------------------------
# fit_classifier on a separable feature set


def _clustered_features(
    rng: np.random.Generator, *, songs_per_genre: int = 12, segments: int = 5, dim: int = 32
) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Segments (n, dim) around a per-song centre around a per-genre centre.

    Offset and scaled far from unit scale, as backbone features are, so the head's input
    normalisation has work to do. Returns features, segment song ids and song -> class.
    """
    genre_centres = rng.normal(size=(len(GENRES), dim)) * 1.5
    features, song_of_segment, song_labels = [], [], {}
    for song in range(songs_per_genre * len(GENRES)):
        genre = song % len(GENRES)
        centre = genre_centres[genre] + rng.normal(size=dim) * 0.7
        features.append(centre + rng.normal(size=(segments, dim)) * 1.5)
        song_of_segment += [song] * segments
        song_labels[song] = genre
    x = np.concatenate(features) * 20.0 + 300.0
    return x.astype(np.float32), np.array(song_of_segment), song_labels


def _fit_head(seed: int = 0):
    rng = np.random.default_rng(seed)
    x, song_ids, song_labels = _clustered_features(rng)
    songs = sorted(song_labels)
    split = split_by_song(song_ids=songs, labels=[GENRES[song_labels[s]] for s in songs], seed=seed)
    y = np.array([song_labels[s] for s in song_ids])
    part = {name: np.isin(song_ids, getattr(split, name)) for name in ("train", "validation")}
    part["test"] = np.isin(song_ids, split.test)
    keras.utils.set_random_seed(seed)
    head = build_genre_head(
        input_dim=x.shape[1], num_classes=len(GENRES), train_features=x[part["train"]]
    )
    result = fit_classifier(
        model=head,
        x_train=x[part["train"]],
        y_train=y[part["train"]],
        x_val=x[part["validation"]],
        y_val=y[part["validation"]],
        epochs=40,
        batch_size=32,
        learning_rate=1e-3,
        patience=5,
        seed=seed,
        verbose=0,
    )
    return head, result, x, y, song_ids, song_labels, part


def test_head_learns_separable_genres_and_restores_best_validation_epoch() -> None:
    head, result, x, y, song_ids, song_labels, part = _fit_head()

    test = part["test"]
    metrics = evaluate_tracks(
        probabilities=head.predict(x[test], verbose=0),
        segment_song_ids=song_ids[test],
        song_labels=song_labels,
        class_names=GENRES,
    )
    assert metrics.track_accuracy >= 0.85
    assert metrics.n_tracks == len(set(song_ids[test].tolist()))

    val_losses = result.history["val_loss"]
    assert result.best_epoch == int(np.argmin(val_losses)) + 1
    assert result.epochs_run == len(val_losses)
    restored = head.evaluate(
        x[part["validation"]], y[part["validation"]], verbose=0, return_dict=True
    )
    assert restored["loss"] == pytest.approx(min(val_losses), rel=1e-4)


def test_same_seed_trains_the_same_head() -> None:
    first, _, x, *_ = _fit_head(seed=1)
    second, *_ = _fit_head(seed=1)

    np.testing.assert_allclose(
        first.predict(x[:20], verbose=0), second.predict(x[:20], verbose=0), atol=1e-6
    )


def test_fit_rolls_back_to_best_validation_epoch_when_the_model_memorises_noise() -> None:
    # Random labels: anything learnt from the training songs only hurts validation, so the
    # best validation epoch comes early and later weights must be thrown away.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 16)).astype(np.float32)
    y = rng.integers(0, 4, size=60)
    keras.utils.set_random_seed(0)
    head = build_genre_head(
        input_dim=16, num_classes=4, dropout=0.0, input_dropout=0.0, weight_decay=0.0
    )

    result = fit_classifier(
        model=head,
        x_train=x[:40],
        y_train=y[:40],
        x_val=x[40:],
        y_val=y[40:],
        epochs=30,
        batch_size=8,
        learning_rate=0.01,
        patience=3,
        seed=0,
    )

    assert result.best_epoch < result.epochs_run < 30
    restored = head.evaluate(x[40:], y[40:], verbose=0, return_dict=True)
    assert restored["loss"] == pytest.approx(min(result.history["val_loss"]), rel=1e-4)


# ---------------------------------------------------------------------------------------------
# evaluate_tracks on a hand-made example


def test_evaluate_tracks_scores_segments_and_mean_of_segments() -> None:
    # Song 10 (a): one of two segments right, mean right. Song 20 (b): the same.
    # Song 30 (c): both segments say "a", so the track is wrong too.
    probabilities = np.array(
        [
            [0.9, 0.05, 0.05],  # 10, right
            [0.2, 0.7, 0.1],  # 20, right
            [0.5, 0.2, 0.3],  # 30, wrong
            [0.4, 0.5, 0.1],  # 10, wrong
            [0.6, 0.3, 0.1],  # 20, wrong
            [0.6, 0.1, 0.3],  # 30, wrong
        ]
    )
    segment_song_ids = np.array([10, 20, 30, 10, 20, 30])

    metrics = evaluate_tracks(
        probabilities=probabilities,
        segment_song_ids=segment_song_ids,
        song_labels={10: 0, 20: 1, 30: 2},
        class_names=("a", "b", "c"),
    )

    assert metrics.segment_accuracy == pytest.approx(2 / 6)
    assert metrics.track_accuracy == pytest.approx(2 / 3)
    assert metrics.confusion_matrix == ((1, 0, 0), (0, 1, 0), (1, 0, 0))
    assert metrics.per_genre["a"].precision == pytest.approx(0.5)
    assert metrics.per_genre["a"].recall == pytest.approx(1.0)
    assert metrics.per_genre["c"].f1 == 0.0
    assert metrics.macro_f1 == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert "track accuracy: 0.667" in metrics.summary().splitlines()
    assert json.loads(json.dumps(metrics.to_dict()))["confusion_matrix"][2] == [1, 0, 0]


def test_confusion_matrix_png_is_written(tmp_path) -> None:
    path = tmp_path / "confusion.png"

    save_confusion_matrix_png(
        matrix=[[3, 1], [0, 4]], class_names=("hiphop", "classical"), path=path
    )

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
