"""Run a trained model version on audio: genre probabilities, embedding and tags for a track.

A model artifact is a folder holding `model.keras` and a JSON sidecar `model.json` (class names,
feature parameters, metrics, ...). The Keras model takes segments (n, *input_shape) and returns a
dict with "genre" (n, C) probabilities, "embedding" (n, 128) and, for the pretrained backbone,
"tags" (n, 50) scores and (models trained since the not-music detector) "penultimate" (n, 200)
features, which `music_reference.npz` beside the model scores for "not music".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from audio.features import FeatureParams, file_segments
from classifier.artifacts import MODEL_FILENAME, MUSIC_REFERENCE_FILENAME, read_sidecar
from classifier.calibration import Calibration
from classifier.nonmusic import MusicReference

# Segments per forward pass. It bounds the activations TensorFlow's allocator keeps for the life
# of the worker: bench/library_scale.py (12 four-minute songs, 16 segments each, 2 shared cores)
# measured worker RSS 1916 MB at 16, 1465 MB at 8 and 1387 MB at 4, with songs/min the same
# within the machine's noise (larger batches do not speed up this network on CPU). A GPU worker
# wants larger ones: settings.INFERENCE_BATCH_SIZE.
BATCH_SIZE = 4


def track_embedding(segment_embeddings: np.ndarray) -> np.ndarray:
    """Mean of a track's segment embeddings (n, D), L2-normalised to a (D,) float32 unit vector.

    Raises ValueError on an empty input, NaN/infinite values or a zero mean vector, which
    would otherwise be stored as a vector no similarity query can use.
    """
    embeddings = np.asarray(segment_embeddings, dtype=np.float64)
    if embeddings.ndim != 2 or embeddings.shape[0] == 0:
        raise ValueError(
            f"expected (n_segments, dim) embeddings with n_segments >= 1, got {embeddings.shape}"
        )
    if not np.all(np.isfinite(embeddings)):
        raise ValueError("segment embeddings contain NaN or infinite values")
    mean = embeddings.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-12:
        raise ValueError("track embedding has zero norm; it cannot be compared with others")
    return (mean / norm).astype(np.float32)


@dataclass(frozen=True)
class TrackPrediction:
    probabilities: dict[str, float]  # genre -> calibrated mean probability over segments
    embedding: np.ndarray  # (128,) float32, unit norm
    tags: dict[str, float] = field(default_factory=dict)  # pretrained tag -> mean score
    segment_count: int = 0
    unsure_below: float = 0.0
    music_score: float | None = None  # None: the model has no not-music detector
    is_not_music: bool = False

    @property
    def predicted_genre(self) -> str:
        return max(self.probabilities, key=self.probabilities.__getitem__)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.predicted_genre]

    @property
    def is_unsure(self) -> bool:
        return self.confidence < self.unsure_below


class Predictor:
    """A loaded model version; load once per process and reuse (loading takes seconds)."""

    def __init__(
        self,
        model: keras.Model,
        *,
        class_names: list[str],
        params: FeatureParams,
        tag_names: list[str] | None = None,
        calibration: Calibration | None = None,
        music_reference: MusicReference | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.model = model
        self.music_reference = music_reference
        self.class_names = list(class_names)
        self.params = params
        self.tag_names = list(tag_names or [])
        self.calibration = calibration or Calibration()
        self.batch_size = batch_size

    @classmethod
    def load(cls, artifact_dir: Path, *, batch_size: int = BATCH_SIZE) -> Predictor:
        sidecar = read_sidecar(artifact_dir)
        reference_path = artifact_dir / MUSIC_REFERENCE_FILENAME
        predictor = cls.load_model_file(
            artifact_dir / MODEL_FILENAME,
            class_names=sidecar.class_names,
            params=FeatureParams.from_dict(sidecar.feature_params),
            tag_names=sidecar.tag_names,
            calibration=Calibration(
                temperature=float(sidecar.calibration.get("temperature", 1.0)),
                unsure_below=float(sidecar.calibration.get("unsure_below", 0.0)),
            ),
        )
        if reference_path.is_file():
            predictor.music_reference = MusicReference.load(reference_path)
        predictor.batch_size = batch_size
        return predictor

    @classmethod
    def load_model_file(
        cls,
        path: Path,
        *,
        class_names: list[str],
        params: FeatureParams,
        tag_names: list[str] | None = None,
        calibration: Calibration | None = None,
    ) -> Predictor:
        model = keras.saving.load_model(path, compile=False)
        return cls(
            model, class_names=class_names, params=params, tag_names=tag_names,
            calibration=calibration,
        )  # fmt: skip

    def segment_outputs(self, segments: np.ndarray) -> dict[str, np.ndarray]:
        """Raw per-segment outputs for segments (n, *input_shape), in batches."""
        if len(segments) == 0:
            raise ValueError("no segments to predict")
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(segments), self.batch_size):
            batch = np.asarray(segments[start : start + self.batch_size], dtype=np.float32)
            outputs = self.model.predict_on_batch(batch)
            for name, value in outputs.items():
                parts.setdefault(name, []).append(keras.ops.convert_to_numpy(value))
        return {name: np.concatenate(values) for name, values in parts.items()}

    def predict_segments(self, segments: np.ndarray) -> TrackPrediction:
        outputs = self.segment_outputs(segments)
        probabilities = outputs["genre"].astype(np.float64).mean(axis=0)
        if not np.all(np.isfinite(probabilities)):
            raise ValueError("the model produced non-finite genre probabilities")
        probabilities = self.calibration.apply(probabilities)
        tags = {}
        if "tags" in outputs and self.tag_names:
            means = outputs["tags"].astype(np.float64).mean(axis=0)
            tags = {name: round(float(v), 4) for name, v in zip(self.tag_names, means, strict=True)}
        music_score = None
        if self.music_reference is not None and "penultimate" in outputs:
            music_score = self.music_reference.score(outputs["penultimate"].mean(axis=0))
        return TrackPrediction(
            probabilities={
                name: float(p) for name, p in zip(self.class_names, probabilities, strict=True)
            },
            embedding=track_embedding(outputs["embedding"]),
            tags=tags,
            segment_count=len(segments),
            unsure_below=self.calibration.unsure_below,
            music_score=music_score,
            is_not_music=(
                music_score is not None and self.music_reference is not None
                and self.music_reference.is_not_music(music_score)
            ),
        )  # fmt: skip

    def segments_for_file(self, path: Path) -> np.ndarray:
        """Decode and featurise a file with this model's own feature parameters."""
        return file_segments(path, params=self.params)

    def predict_file(self, path: Path) -> TrackPrediction:
        """Raises InvalidAudioError for files that cannot be analysed."""
        return self.predict_segments(self.segments_for_file(path))
