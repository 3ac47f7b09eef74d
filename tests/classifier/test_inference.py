"""Track embeddings: the vector every similar-songs query compares."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.inference import track_embedding


def test_track_embedding_is_unit_mean_direction() -> None:
    vector = track_embedding(np.array([[3.0, 0.0], [1.0, 0.0], [2.0, 0.0]]))

    np.testing.assert_allclose(vector, [1.0, 0.0])
    assert vector.dtype == np.float32


@pytest.mark.parametrize(
    "segments",
    [np.array([[1.0, np.nan]]), np.array([[1.0, -2.0], [-1.0, 2.0]]), np.zeros((0, 4))],
    ids=["nan", "zero-mean", "empty"],
)
def test_track_embedding_rejects_unusable_vectors(segments: np.ndarray) -> None:
    with pytest.raises(ValueError):
        track_embedding(segments)
