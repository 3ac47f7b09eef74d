"""The forward-pass batch size bounds memory, never the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.inference import Predictor
from classifier.nets.weights_file import musicnn_weights_path
from tests.factories import build_model_artifact


def test_small_batches_predict_what_one_large_batch_does(tmp_path: Path) -> None:
    if not musicnn_weights_path().is_file():
        pytest.skip("musicnn weights not converted: run `make weights`")
    artifact = build_model_artifact(tmp_path / "model", class_names=["a", "b"])
    small = Predictor.load(artifact, batch_size=3)
    large = Predictor.load(artifact, batch_size=32)
    segments = np.random.default_rng(0).normal(size=(7, *small.params.input_shape))

    a, b = small.predict_segments(segments), large.predict_segments(segments)

    np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-5)
    assert a.probabilities == pytest.approx(b.probabilities, abs=1e-5)
    assert a.segment_count == b.segment_count == 7
