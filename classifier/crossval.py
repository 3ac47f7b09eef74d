"""Honest quality figures for a genre model: k-fold cross-validation grouped by artist.

Pure numpy and scikit-learn, no Django, no Keras: the trainer fits one model per fold and hands
the out-of-fold results here.

Songs by one artist sound alike (same voice, same studio), so a model tested on an artist it was
trained on looks better than it is on anyone else's music. Folds therefore keep each artist's
songs together; a song without an artist is its own group. A genre whose songs all come from one
artist cannot be measured across artists: its songs stay in every fold's training set and out of
the scores, and the report names it. When not even two genres can be measured across artists
(synthetic demo styles, untagged imports), the folds fall back to grouping by song, and say so.

Beside accuracy the report gives purity@10 (how many of a song's 10 nearest neighbours under the
similar-songs score share its genre) and the expected calibration error after a temperature
fitted on the out-of-fold probabilities, plus the confidence below which a song shows "unsure".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from classifier.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    unsure_threshold,
)

MIN_GROUPS_TO_MEASURE = 2
DEFAULT_FOLDS = 5
NEIGHBOURS = 10


@dataclass(frozen=True)
class GroupedFolds:
    """Fold index arrays over the songs passed to `grouped_folds`.

    level: "artist" or "song". unmeasured: genres (class indices) never in a test fold.
    """

    level: str
    folds: list[tuple[np.ndarray, np.ndarray]]  # (train indices, test indices)
    groups_per_genre: dict[int, int]
    unmeasured: list[int]


def group_key(*, song_id: int, artist: str = "", album: str = "") -> str:
    """Artist when known, else album, else the song itself."""
    if artist.strip():
        return f"artist:{artist.strip().casefold()}"
    if album.strip():
        return f"album:{album.strip().casefold()}"
    return f"song:{song_id}"


def grouped_folds(
    *,
    labels: Sequence[int] | np.ndarray,
    groups: Sequence[str],
    n_folds: int = DEFAULT_FOLDS,
    seed: int = 0,
) -> GroupedFolds:
    """Stratified k-fold over the measurable songs, keeping each group in one fold."""
    labels_array = np.asarray(labels)
    groups_per_genre = {
        int(c): len({g for g, label in zip(groups, labels, strict=True) if label == c})
        for c in np.unique(labels_array)
    }
    measurable = [c for c, n in groups_per_genre.items() if n >= MIN_GROUPS_TO_MEASURE]
    level = "artist" if any(g.startswith("artist:") for g in groups) else "song"
    song_groups = list(groups)
    if len(measurable) < 2:
        level = "song"
        song_groups = [f"song:{i}" for i in range(len(labels))]
        groups_per_genre = {int(c): int(np.sum(labels_array == c)) for c in groups_per_genre}
        measurable = [c for c, n in groups_per_genre.items() if n >= MIN_GROUPS_TO_MEASURE]
    in_test = np.isin(labels_array, measurable)
    candidates = np.flatnonzero(in_test)
    always_train = np.flatnonzero(~in_test)
    # A genre with fewer groups than folds is simply absent from some test folds, but at least
    # one genre must have a group for every fold.
    largest = max(
        len({song_groups[i] for i in candidates if labels_array[i] == c}) for c in measurable
    )
    n_splits = max(2, min(n_folds, largest))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = [
        (np.sort(np.concatenate([always_train, candidates[a]])), np.sort(candidates[b]))
        for a, b in splitter.split(
            np.zeros(len(candidates)),
            labels_array[candidates],
            [song_groups[i] for i in candidates],
        )
    ]
    return GroupedFolds(
        level=level,
        folds=[(train, test) for train, test in folds if len(test)],
        groups_per_genre=groups_per_genre,
        unmeasured=sorted(set(groups_per_genre) - set(measurable)),
    )


# ---------------------------------------------------------------------------------------------
# Neighbours


def similarity_matrix(
    embeddings: np.ndarray, probabilities: np.ndarray, *, genre_weight: float
) -> np.ndarray:
    """The similar-songs score between every pair: (1 - w) cos + w sum_g min(p_a, p_b)."""
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    overlap = np.minimum(probabilities[:, None, :], probabilities[None, :, :]).sum(axis=-1)
    return (1.0 - genre_weight) * (unit @ unit.T) + genre_weight * overlap


def neighbour_purity(
    scores: np.ndarray, labels: np.ndarray, *, queries: np.ndarray, k: int = NEIGHBOURS
) -> float:
    """Mean share of each query's k best-scored other songs that have its label."""
    purities = []
    for q in queries:
        row = scores[q].copy()
        row[q] = -np.inf
        nearest = np.argsort(-row)[: min(k, len(row) - 1)]
        purities.append(np.mean(labels[nearest] == labels[q]))
    return float(np.mean(purities)) if purities else float("nan")


# ---------------------------------------------------------------------------------------------
# Summary


@dataclass
class FoldResult:
    """One fold: its test songs' track probabilities, and its purity@10."""

    test: np.ndarray  # indices of the test songs
    probabilities: np.ndarray  # (n_test, C), uncalibrated
    purity: float
    best_epoch: int


@dataclass
class CrossValidation:
    class_names: list[str]
    level: str
    n_folds: int
    groups_per_genre: dict[str, int]
    unmeasured: list[str]
    track_accuracy: dict[str, float]  # mean, std over folds
    macro_f1: dict[str, float]
    purity_at_10: dict[str, float]
    ece: float  # after temperature scaling, over all out-of-fold songs
    ece_uncalibrated: float
    temperature: float
    unsure_below: float
    unsure: int  # out-of-fold songs below the threshold
    n_tracks: int
    per_genre: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion_matrix: list[list[int]] = field(default_factory=list)
    best_epochs: list[int] = field(default_factory=list)

    def to_metrics(self) -> dict[str, Any]:
        """The model version's `metrics`: CV means under the keys the pages know, and the rest."""
        return {
            "evaluation": f"{self.n_folds}-fold cross-validation grouped by {self.level}",
            "track_accuracy": self.track_accuracy["mean"],
            "macro_f1": self.macro_f1["mean"],
            "purity_at_10": self.purity_at_10["mean"],
            "ece": self.ece,
            "n_tracks": self.n_tracks,
            "class_names": self.class_names,
            "per_genre": self.per_genre,
            "confusion_matrix": self.confusion_matrix,
            "cv": asdict(self),
        }

    def summary(self) -> str:
        def spread(value: dict[str, float]) -> str:
            return f"{value['mean']:.3f} ± {value['std']:.3f}"

        lines = [
            f"{self.n_folds}-fold cross-validation grouped by {self.level}, "
            f"{self.n_tracks} songs scored",
            "groups per genre: "
            + ", ".join(f"{g} {n}" for g, n in sorted(self.groups_per_genre.items())),
        ]
        if self.unmeasured:
            lines.append(
                f"not measurable across {self.level}s (one {self.level}; trained on, not scored): "
                + ", ".join(self.unmeasured)
            )
        lines += [
            f"track accuracy: {spread(self.track_accuracy)}",
            f"macro F1: {spread(self.macro_f1)}",
            f"purity@10: {spread(self.purity_at_10)}",
            f"ECE: {self.ece:.3f} (temperature {self.temperature:.2f}; "
            f"{self.ece_uncalibrated:.3f} before)",
            f"unsure below {self.unsure_below:.2f}: {self.unsure} of {self.n_tracks}",
        ]
        width = max(len(name) for name in self.class_names)
        for name, scores in self.per_genre.items():
            lines.append(
                f"  {name:<{width}}  precision {scores['precision']:.3f}  "
                f"recall {scores['recall']:.3f}  songs {int(scores['support'])}"
            )
        return "\n".join(lines)


def summarise(
    *,
    folds: GroupedFolds,
    results: Sequence[FoldResult],
    labels: np.ndarray,
    class_names: Sequence[str],
) -> CrossValidation:
    """Fold means ± standard deviations, and pooled out-of-fold scores, calibration, matrix."""
    accuracies, f1s, purities = [], [], []
    for result in results:
        truth = labels[result.test]
        predicted = result.probabilities.argmax(axis=1)
        accuracies.append(float(np.mean(predicted == truth)))
        f1s.append(float(f1_score(truth, predicted, labels=np.unique(truth), average="macro")))
        purities.append(result.purity)
    test = np.concatenate([r.test for r in results])
    probabilities = np.concatenate([r.probabilities for r in results])
    truth = labels[test]
    temperature = fit_temperature(probabilities, truth)
    calibrated = apply_temperature(probabilities, temperature)
    threshold = unsure_threshold(calibrated, truth)
    classes = list(range(len(class_names)))
    precision, recall, _, support = precision_recall_fscore_support(
        truth, calibrated.argmax(axis=1), labels=classes, zero_division=0
    )
    measured = [c for c in classes if c not in folds.unmeasured]
    return CrossValidation(
        class_names=list(class_names),
        level=folds.level,
        n_folds=len(results),
        groups_per_genre={class_names[c]: n for c, n in folds.groups_per_genre.items()},
        unmeasured=[class_names[c] for c in folds.unmeasured],
        track_accuracy=_mean_std(accuracies),
        macro_f1=_mean_std(f1s),
        purity_at_10=_mean_std(purities),
        ece=expected_calibration_error(calibrated, truth),
        ece_uncalibrated=expected_calibration_error(probabilities, truth),
        temperature=temperature,
        unsure_below=threshold,
        unsure=int(np.sum(calibrated.max(axis=1) < threshold)),
        n_tracks=len(test),
        per_genre={
            class_names[c]: {
                "precision": float(precision[c]),
                "recall": float(recall[c]),
                "support": int(support[c]),
            }
            for c in measured
        },
        confusion_matrix=confusion_matrix(truth, calibrated.argmax(axis=1), labels=classes)
        .astype(int)
        .tolist(),
        best_epochs=[r.best_epoch for r in results],
    )


def _mean_std(values: Sequence[float]) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    return {"mean": float(array.mean()), "std": float(array.std())}
