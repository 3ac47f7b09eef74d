"""Is it music at all? A detector for speech, animal sounds and noise. numpy only.

Trained on nothing but the labelled songs: a clip's score is 1 - the mean cosine similarity of
its standardised penultimate musicnn features to its 5 nearest labelled songs. Music lands near
some labelled song; an audiobook or a whale does not. The threshold is the highest score any
labelled song gets against the others (leave one out), so no labelled song would be flagged.
bench/classifier_cv.py measures it on speech, animal and noise clips against music (AUROC).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

NEIGHBOURS = 5


@dataclass(frozen=True)
class MusicReference:
    mean: np.ndarray  # (D,)
    std: np.ndarray  # (D,)
    units: np.ndarray  # (n, D) standardised, unit-norm features of the labelled songs
    threshold: float  # scores above it are "not music"

    @classmethod
    def fit(cls, features: np.ndarray) -> MusicReference:
        """From the labelled songs' mean features (n, D), n > NEIGHBOURS."""
        features = np.asarray(features, dtype=np.float64)
        mean, std = features.mean(axis=0), features.std(axis=0) + 1e-6
        units = _unit((features - mean) / std)
        similarity = units @ units.T
        np.fill_diagonal(similarity, -np.inf)
        k = min(NEIGHBOURS, len(units) - 1)
        scores = 1.0 - np.sort(similarity, axis=1)[:, -k:].mean(axis=1)
        return cls(mean=mean, std=std, units=units, threshold=float(scores.max()))

    def score(self, features: np.ndarray) -> float:
        """1 - mean cosine to the nearest labelled songs, for a track's mean features (D,)."""
        unit = _unit((np.asarray(features, dtype=np.float64) - self.mean) / self.std)
        k = min(NEIGHBOURS, len(self.units))
        return float(1.0 - np.sort(self.units @ unit)[-k:].mean())

    def is_not_music(self, score: float) -> bool:
        return score > self.threshold

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean, std=self.std, units=self.units, threshold=self.threshold)

    @classmethod
    def load(cls, path: Path) -> MusicReference:
        with np.load(path) as data:
            return cls(
                mean=data["mean"], std=data["std"], units=data["units"],
                threshold=float(data["threshold"]),
            )  # fmt: skip


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
