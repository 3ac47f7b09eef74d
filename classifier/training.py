"""Training and evaluation of genre models: split by song, fit with early stopping, metrics.

Pure numpy and Keras, no Django. The rules that keep the reported numbers honest:
segments of one song never sit on both sides of a split; the optimiser and the checkpoint
choice see the training and validation songs only; the test songs are scored once, at the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import keras
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

MIN_SONGS_PER_GENRE = 3  # one each for training, validation and test


class TrainingDataError(ValueError):
    """The labelled songs cannot be split or trained on; the message says what to add."""


# ---------------------------------------------------------------------------------------------
# Splitting


@dataclass(frozen=True)
class SongSplit:
    """Song ids per split, each sorted; no id appears in two splits."""

    train: tuple[int, ...]
    validation: tuple[int, ...]
    test: tuple[int, ...]

    def to_dict(self) -> dict[str, list[int]]:
        return {name: list(ids) for name, ids in asdict(self).items()}


def split_by_song(
    *,
    song_ids: Sequence[int],
    labels: Sequence[str],
    seed: int,
    validation_fraction: float = 0.15,
    test_fraction: float = 0.15,
) -> SongSplit:
    """Split songs (not segments) into train/validation/test, stratified by genre label.

    Every genre gets at least one song in each split. Overall sizes follow the fractions
    (e.g. 100 songs -> 70/15/15) with the rounding spread over genres at random, so no genre is
    favoured. The same songs, labels and seed always give the same split.
    Raises TrainingDataError naming each genre with fewer than 3 songs.
    """
    if len(song_ids) != len(labels):
        raise ValueError(f"got {len(song_ids)} song ids but {len(labels)} labels")
    if len(set(song_ids)) != len(song_ids):
        raise ValueError("song ids must be unique")
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1):
        raise ValueError("validation and test fractions must be between 0 and 1")
    if validation_fraction + test_fraction >= 1:
        raise ValueError("validation and test fractions must leave songs for training")

    by_genre: dict[str, list[int]] = {}
    for song_id, label in zip(song_ids, labels, strict=True):
        by_genre.setdefault(label, []).append(int(song_id))
    too_few = sorted(g for g, ids in by_genre.items() if len(ids) < MIN_SONGS_PER_GENRE)
    if too_few:
        details = ", ".join(f'"{g}" has {len(by_genre[g])}' for g in too_few)
        raise TrainingDataError(
            f"Each genre needs at least {MIN_SONGS_PER_GENRE} songs (one each for training, "
            f"validation and test); {details}. Add songs to these genres or remove the label."
        )

    rng = np.random.default_rng(seed)
    genres = sorted(by_genre)  # fixed order, so the seed alone decides the split
    sizes = {g: len(by_genre[g]) for g in genres}
    n_test = _allocate(
        sizes, fraction=test_fraction, taken=dict.fromkeys(genres, 0), keep=2, rng=rng
    )
    n_val = _allocate(sizes, fraction=validation_fraction, taken=n_test, keep=1, rng=rng)

    train: list[int] = []
    validation: list[int] = []
    test: list[int] = []
    for genre in genres:
        ids = rng.permutation(sorted(by_genre[genre])).tolist()
        test += ids[: n_test[genre]]
        validation += ids[n_test[genre] : n_test[genre] + n_val[genre]]
        train += ids[n_test[genre] + n_val[genre] :]
    return SongSplit(
        train=tuple(sorted(train)), validation=tuple(sorted(validation)), test=tuple(sorted(test))
    )


def _allocate(
    sizes: dict[str, int],
    *,
    fraction: float,
    taken: dict[str, int],
    keep: int,
    rng: np.random.Generator,
) -> dict[str, int]:
    """Songs per genre for one split: at least 1 each, total close to fraction of all songs.

    `taken` songs per genre already belong to another split and `keep` more must stay
    available for the splits still to fill.
    """
    ideal = {g: n * fraction for g, n in sizes.items()}
    counts = {g: min(max(1, math.floor(ideal[g])), sizes[g] - taken[g] - keep) for g in sizes}
    target = max(len(sizes), round(sum(sizes.values()) * fraction))
    # Extra songs go to the genres whose share was rounded down most; ties at random.
    tiebreak = dict(zip(sizes, rng.permutation(len(sizes)), strict=True))
    order = sorted(sizes, key=lambda g: (counts[g] - ideal[g], tiebreak[g]))
    for genre in order:
        if sum(counts.values()) >= target:
            break
        if sizes[genre] - taken[genre] - counts[genre] > keep:
            counts[genre] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Fitting


@dataclass(frozen=True)
class FitResult:
    """best_epoch is 1-based and was chosen on validation data only."""

    best_epoch: int
    epochs_run: int
    history: dict[str, list[float]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit_classifier(
    *,
    model: keras.Model,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray | None,
    y_val: np.ndarray | None,
    epochs: int = 100,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    patience: int = 10,
    seed: int = 0,
    verbose: int = 0,
    monitor: Literal["val_loss", "val_accuracy"] = "val_loss",
) -> FitResult:
    """Train `model` with Adam and sparse categorical cross-entropy, stopping early on validation.

    x_*: (n, *model input shape) float32 segments; y_*: (n,) int class indices.
    Training stops after `patience` epochs without improvement of `monitor` and the weights of
    the best epoch are restored. Nothing here sees the test songs. Without validation data
    (x_val None) it runs exactly `epochs` epochs: the final model, trained on every song for the
    number of epochs cross-validation chose.
    `seed` fixes the shuffling order. Initial weights and dropout masks come from the seed in
    force when the model was built, so call `keras.utils.set_random_seed(seed)` before building
    it for a repeatable run. `verbose=1` shows a progress bar per epoch, 2 one line per epoch.
    """
    sets: list[tuple[str, np.ndarray | None, np.ndarray | None]] = [("train", x_train, y_train)]
    if x_val is not None or y_val is not None:
        sets.append(("validation", x_val, y_val))
    for name, x, y in sets:
        n_x, n_y = (0 if x is None else len(x)), (0 if y is None else len(y))
        if n_x == 0 or n_x != n_y:
            raise TrainingDataError(
                f"{name} set has {n_x} segments and {n_y} labels; need equal, non-zero"
            )
    keras.utils.set_random_seed(seed)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    validation = None
    callbacks = []
    if x_val is not None and y_val is not None:
        validation = (np.asarray(x_val, dtype=np.float32), np.asarray(y_val, dtype=np.int32))
        stopper = keras.callbacks.EarlyStopping(
            monitor=monitor, patience=patience, restore_best_weights=True, verbose=0
        )
        callbacks.append(stopper)
    history = model.fit(
        np.asarray(x_train, dtype=np.float32),
        np.asarray(y_train, dtype=np.int32),
        validation_data=validation,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=callbacks,
        verbose=verbose,
    )
    logs = {key: [float(v) for v in values] for key, values in history.history.items()}
    return FitResult(
        best_epoch=int(stopper.best_epoch) + 1 if callbacks else epochs,
        epochs_run=len(next(iter(logs.values()))),
        history=logs,
    )


# ---------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class GenreScores:
    precision: float
    recall: float
    f1: float
    support: int  # tracks of this genre in the evaluated set


@dataclass(frozen=True)
class Metrics:
    """Scores of one evaluated set. confusion_matrix counts tracks: rows true, columns predicted."""

    class_names: tuple[str, ...]
    n_segments: int
    n_tracks: int
    segment_accuracy: float
    track_accuracy: float
    macro_f1: float
    per_genre: dict[str, GenreScores]
    confusion_matrix: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (plain floats, ints, lists, strings)."""
        return {
            "class_names": list(self.class_names),
            "n_segments": self.n_segments,
            "n_tracks": self.n_tracks,
            "segment_accuracy": self.segment_accuracy,
            "track_accuracy": self.track_accuracy,
            "macro_f1": self.macro_f1,
            "per_genre": {name: asdict(s) for name, s in self.per_genre.items()},
            "confusion_matrix": [list(row) for row in self.confusion_matrix],
        }

    def summary(self) -> str:
        lines = [
            f"tracks: {self.n_tracks}, segments: {self.n_segments}",
            f"segment accuracy: {self.segment_accuracy:.3f}",
            f"track accuracy: {self.track_accuracy:.3f}",
            f"macro F1: {self.macro_f1:.3f}",
        ]
        width = max(len(name) for name in self.class_names)
        for name, s in self.per_genre.items():
            lines.append(
                f"  {name:<{width}}  precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"f1 {s.f1:.3f}  tracks {s.support}"
            )
        return "\n".join(lines)


def track_probabilities(
    probabilities: np.ndarray, segment_song_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Average segment probabilities (n_segments, C) per song.

    Returns (song_ids (n_tracks,) sorted, track probabilities (n_tracks, C)).
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    segment_song_ids = np.asarray(segment_song_ids)
    if probabilities.ndim != 2 or len(probabilities) != len(segment_song_ids):
        raise ValueError(
            f"expected (n_segments, n_classes) probabilities and (n_segments,) song ids, got "
            f"{probabilities.shape} and {segment_song_ids.shape}"
        )
    songs, index = np.unique(segment_song_ids, return_inverse=True)
    sums = np.zeros((len(songs), probabilities.shape[1]))
    np.add.at(sums, index, probabilities)
    return songs, sums / np.bincount(index)[:, None]


def evaluate_tracks(
    *,
    probabilities: np.ndarray,
    segment_song_ids: np.ndarray,
    song_labels: dict[int, int],
    class_names: Sequence[str],
) -> Metrics:
    """Score segment probabilities (n_segments, C) at segment and track level.

    segment_song_ids (n_segments,) says which song each segment comes from; song_labels maps
    each song id to its true class index. A track's prediction is the argmax of the mean of its
    segments' probabilities. Per-genre scores and the confusion matrix are over tracks.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n_classes = len(class_names)
    if probabilities.ndim != 2 or probabilities.shape[1] != n_classes:
        raise ValueError(
            f"expected probabilities of shape (n_segments, {n_classes}), got {probabilities.shape}"
        )
    if len(probabilities) == 0:
        raise ValueError("no segments to evaluate")
    if not np.all(np.isfinite(probabilities)):
        raise ValueError("probabilities contain NaN or infinite values")
    missing = {int(s) for s in np.unique(segment_song_ids)} - set(song_labels)
    if missing:
        raise ValueError(f"no label for song ids {sorted(missing)}")

    segment_truth = np.array([song_labels[int(s)] for s in segment_song_ids])
    segment_accuracy = float(np.mean(probabilities.argmax(axis=1) == segment_truth))

    songs, track_probs = track_probabilities(probabilities, segment_song_ids)
    truth = np.array([song_labels[int(s)] for s in songs])
    predicted = track_probs.argmax(axis=1)
    classes = list(range(n_classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0
    )
    matrix = confusion_matrix(truth, predicted, labels=classes)
    return Metrics(
        class_names=tuple(class_names),
        n_segments=len(probabilities),
        n_tracks=len(songs),
        segment_accuracy=segment_accuracy,
        track_accuracy=float(np.mean(predicted == truth)),
        # Macro over the genres present in this set, so an absent genre does not count as 0.
        macro_f1=float(np.mean(f1[support > 0])),
        per_genre={
            name: GenreScores(float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
            for i, name in enumerate(class_names)
        },
        confusion_matrix=tuple(tuple(int(v) for v in row) for row in matrix),
    )


def save_confusion_matrix_png(
    *, matrix: np.ndarray | Sequence[Sequence[int]], class_names: Sequence[str], path: str | Path
) -> None:
    """Write a track confusion matrix (rows true, columns predicted) as a labelled PNG."""
    # Imported here so that importing this module never picks a GUI backend or loads pyplot.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = np.asarray(matrix, dtype=int)
    n = len(class_names)
    if counts.shape != (n, n):
        raise ValueError(f"expected a ({n}, {n}) matrix, got {counts.shape}")
    size = max(4.0, 0.6 * n + 2.0)
    fig, ax = plt.subplots(figsize=(size, size), dpi=120)
    try:
        ax.imshow(counts, cmap="Blues", vmin=0)
        ax.set_xticks(range(n), labels=list(class_names), rotation=45, ha="right")
        ax.set_yticks(range(n), labels=list(class_names))
        ax.set_xlabel("predicted genre")
        ax.set_ylabel("true genre")
        ax.set_title("Confusion matrix (tracks)")
        threshold = counts.max() / 2 if counts.size else 0
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    str(counts[i, j]),
                    ha="center",
                    va="center",
                    color="white" if counts[i, j] > threshold else "black",
                )
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
