"""Which unlabelled songs to ask the user about: the ones whose label would teach the model most.

Pure numpy. Uncertainty sampling by margin: a song whose two most probable genres are nearly tied
sits on a boundary the model has not learnt; its label moves that boundary. Near-duplicates sit
on the same spot, so the ranking is spread out: a candidate too close (cosine similarity of the
embeddings) to one already picked waits until the others are exhausted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAR_DUPLICATE_SIMILARITY = 0.97  # cosine of two songs' embeddings above which one is enough


@dataclass(frozen=True)
class Guess:
    genre: str
    probability: float


def top_two_margin(probabilities: np.ndarray) -> np.ndarray:
    """p(best) - p(second best) per row of (n, C) probabilities; small means unsure."""
    ordered = np.sort(np.asarray(probabilities, dtype=np.float64), axis=1)
    return ordered[:, -1] - ordered[:, -2]


def rank_for_labelling(
    probabilities: np.ndarray,
    embeddings: np.ndarray,
    *,
    count: int,
    near_duplicate: float = NEAR_DUPLICATE_SIMILARITY,
) -> list[int]:
    """Indices of up to `count` songs to ask about, most informative first.

    probabilities (n, C) calibrated genre probabilities; embeddings (n, D) track embeddings.
    Smallest top-two margin first; a song whose embedding is within `near_duplicate` cosine
    similarity of one already picked goes to the back of the queue.
    """
    if count <= 0 or len(probabilities) == 0:
        return []
    unit = np.asarray(embeddings, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    order = np.argsort(top_two_margin(probabilities), kind="stable")
    picked: list[int] = []
    deferred: list[int] = []
    for index in order:
        if len(picked) == count:
            break
        if picked and float(np.max(unit[picked] @ unit[index])) > near_duplicate:
            deferred.append(int(index))
        else:
            picked.append(int(index))
    return picked + deferred[: count - len(picked)]


def top_guesses(probabilities: dict[str, float], *, count: int = 3) -> list[Guess]:
    """The `count` most probable genres, best first."""
    ranked = sorted(probabilities.items(), key=lambda item: (-item[1], item[0]))[:count]
    return [Guess(genre=name, probability=float(p)) for name, p in ranked]
