"""Score a stored model version on labelled audio it was not trained on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audio.errors import InvalidAudioError
from classifier.inference import Predictor
from classifier.training import Metrics, evaluate_tracks


@dataclass(frozen=True)
class LabelledFile:
    path: Path
    genre: str
    name: str  # how reports refer to it


@dataclass
class EvaluationReport:
    metrics: Metrics | None
    skipped: list[str] = field(default_factory=list)  # unknown genre or not analysable


def evaluate_files(
    *,
    predictor: Predictor,
    files: Sequence[LabelledFile],
    on_progress: Callable[[int, int], None] | None = None,
) -> EvaluationReport:
    """Track and segment metrics of `predictor` on labelled files, one pass over each file."""
    report = EvaluationReport(metrics=None)
    probabilities, owners, labels = [], [], {}
    for index, item in enumerate(files):
        if item.genre not in predictor.class_names:
            report.skipped.append(f"{item.name}: genre {item.genre!r} is not one the model knows")
            continue
        try:
            segments = predictor.segments_for_file(item.path)
        except InvalidAudioError as error:
            report.skipped.append(f"{item.name}: {error.message}")
            continue
        genre_probabilities = predictor.segment_outputs(segments)["genre"]
        probabilities.append(genre_probabilities)
        owners.append(np.full(len(genre_probabilities), index))
        labels[index] = predictor.class_names.index(item.genre)
        if on_progress is not None:
            on_progress(index + 1, len(files))
    if probabilities:
        report.metrics = evaluate_tracks(
            probabilities=np.concatenate(probabilities),
            segment_song_ids=np.concatenate(owners),
            song_labels=labels,
            class_names=predictor.class_names,
        )
    return report
