"""Calibrated genre probabilities and the "unsure" threshold. numpy only.

A network trained with cross-entropy on a few hundred songs is over- or under-confident; one
temperature T, fitted on cross-validation's out-of-fold probabilities, fixes most of it:
p_calibrated = softmax(log p / T). The same folds choose the confidence below which guesses were
more often wrong than right: songs below it show "unsure" with their two best guesses.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

ECE_BINS = 10
_TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(5.0), 61))


@dataclass(frozen=True)
class Calibration:
    """What the sidecar's `calibration` holds; the identity for models trained before it."""

    temperature: float = 1.0
    unsure_below: float = 0.0

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        """Calibrated (C,) or (n, C) probabilities."""
        return apply_temperature(probabilities, self.temperature)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Soften (T > 1) or sharpen (T < 1) track probabilities (n, C): softmax(log p / T)."""
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0))
    logits = logits / float(temperature)
    logits -= logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=-1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of out-of-fold labels."""
    rows = np.arange(len(labels))

    def nll(t: float) -> float:
        return float(-np.mean(np.log(apply_temperature(probabilities, t)[rows, labels] + 1e-12)))

    return float(min(_TEMPERATURES, key=nll))


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by songs."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def unsure_threshold(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The confidence that best separates wrong guesses (below it) from right ones (above it).

    Chosen to maximise wrong guesses flagged plus right guesses kept, so a song is called unsure
    where, at its confidence, guesses were more often wrong than right. 0.0 flags nothing.
    """
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    order = np.argsort(confidence, kind="stable")
    ordered = correct[order]
    wrong_below = np.concatenate([[0], np.cumsum(~ordered)])  # flagged and indeed wrong
    right_above = np.concatenate([np.cumsum(ordered[::-1])[::-1], [0]])  # kept and right
    n = int(np.argmax(wrong_below + right_above))  # the n least confident are unsure
    if n == 0:
        return 0.0
    return round(float(confidence[order[n]]) if n < len(order) else 1.0, 4)
