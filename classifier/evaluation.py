"""Score a stored model version on labelled audio it was not trained on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.errors import InvalidAudioError
from classifier.calibration import expected_calibration_error
from classifier.crossval import neighbour_purity, similarity_matrix
from classifier.inference import Predictor
from classifier.training import Metrics, evaluate_tracks


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    genre: str
    name: str  # how reports refer to it


@dataclass
class EvaluationReport:
    metrics: Metrics | None  # over tracks, from calibrated probabilities
    purity_at_10: float = float("nan")
    ece: float = float("nan")
    unsure: int = 0
    skipped: list[str] = field(default_factory=list)  # unknown genre or not analysable

    def summary(self) -> str:
        """The five lines people compare models by, then the per-genre table."""
        if self.metrics is None:
            return "no song evaluated"
        return "\n".join(
            [
                f"track accuracy: {self.metrics.track_accuracy:.3f}",
                f"macro F1: {self.metrics.macro_f1:.3f}",
                f"purity@10: {self.purity_at_10:.3f}",
                f"ECE: {self.ece:.3f}",
                f"unsure: {self.unsure} of {self.metrics.n_tracks}",
                *self.metrics.summary().splitlines()[4:],
            ]
        )


def evaluate_files(
    *,
    predictor: Predictor,
    files: Sequence[LabelledFile],
    genre_weight: float,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Accuracy, purity@10 among the evaluated songs, ECE and unsure count; one pass per file.

    purity@10: the share of each song's 10 nearest other evaluated songs, under the similar-songs
    score with `genre_weight`, that have its true genre.
    """
    report = EvaluationReport(metrics=None)
    probabilities, embeddings, labels, unsure = [], [], [], 0
    for index, item in enumerate(files):
        if item.genre not in predictor.class_names:
            report.skipped.append(f"{item.name}: genre {item.genre!r} is not one the model knows")
            continue
        try:
            prediction = predictor.predict_file(item.path)
        except InvalidAudioError as error:
            report.skipped.append(f"{item.name}: {error.message}")
            continue
        probabilities.append([prediction.probabilities[name] for name in predictor.class_names])
        embeddings.append(prediction.embedding)
        labels.append(predictor.class_names.index(item.genre))
        unsure += prediction.is_unsure
        if on_progress is not None:
            on_progress(index + 1, len(files))
    if not probabilities:
        return report
    track_probabilities = np.asarray(probabilities)
    truth = np.asarray(labels)
    report.metrics = evaluate_tracks(
        probabilities=track_probabilities,
        segment_song_ids=np.arange(len(truth)),
        song_labels=dict(enumerate(truth.tolist())),
        class_names=predictor.class_names,
    )
    scores = similarity_matrix(
        np.asarray(embeddings), track_probabilities, genre_weight=genre_weight
    )
    report.purity_at_10 = neighbour_purity(scores, truth, queries=np.arange(len(truth)))
    report.ece = expected_calibration_error(track_probabilities, truth)
    report.unsure = unsure
    return report
