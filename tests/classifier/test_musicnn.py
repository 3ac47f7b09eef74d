"""The Keras musicnn port computes what the original pretrained network computes.

The expected numbers in tests/fixtures/musicnn_reference.json.gz come from the original TF1
musicnn (MSD) graph; see the fixture's "source" field. Tests that need the converted weights
skip when `make weights` has not been run.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from classifier.nets.musicnn import (
    MSD_TAGS,
    build_musicnn_backbone,
    load_musicnn_backbone,
)
from classifier.nets.weights_file import MissingWeightsError, musicnn_weights_path
from classifier.weights import ensure_musicnn_weights

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "musicnn_reference.json.gz"
ACTIVATIONS = ("timbral", "temporal", "cnn1", "cnn2", "cnn3")


def _array(entry: dict[str, Any]) -> np.ndarray:
    data = base64.b64decode(entry["float32_base64"])
    return np.frombuffer(data, dtype="<f4").reshape(entry["shape"])


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def backbone() -> keras.Model:
    try:
        return load_musicnn_backbone()
    except MissingWeightsError:
        pytest.skip(
            f"musicnn weights not converted at {musicnn_weights_path()}: run `make weights`"
        )


@pytest.fixture(scope="module")
def outputs(backbone: keras.Model, reference: dict[str, Any]) -> dict[str, np.ndarray]:
    """Backbone outputs plus the named front/mid-end activations for the reference patches."""
    names = ("pooled", "penultimate", "tags", *ACTIVATIONS)
    probe = keras.Model(backbone.input, {name: backbone.get_layer(name).output for name in names})
    result = probe.predict(_array(reference["input_patches"]), verbose=0)
    return {name: np.asarray(value) for name, value in result.items()}


def test_tag_names_are_the_checkpoints(reference: dict[str, Any]) -> None:
    assert list(MSD_TAGS) == reference["tags"]


def test_tag_scores_match_original(outputs: dict[str, np.ndarray], reference) -> None:
    expected = _array(reference["taggram"])
    assert outputs["tags"].shape == (2, 50)
    np.testing.assert_allclose(outputs["tags"], expected, rtol=0, atol=1e-4)


def test_top_tags_rank_as_in_original(outputs: dict[str, np.ndarray], reference) -> None:
    expected = _array(reference["taggram"])
    for ours, theirs in zip(outputs["tags"], expected, strict=True):
        top = [MSD_TAGS[i] for i in np.argsort(-ours)[:5]]
        assert top == [MSD_TAGS[i] for i in np.argsort(-theirs)[:5]]
    assert top[0] == "electronic"


def test_pooled_is_mean_then_max_of_original(outputs: dict[str, np.ndarray], reference) -> None:
    pooled = outputs["pooled"]
    assert pooled.shape == (2, 1506)
    np.testing.assert_allclose(
        pooled[:, :753], _array(reference["mean_pool"]), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(pooled[:, 753:], _array(reference["max_pool"]), rtol=1e-4, atol=1e-3)


def test_penultimate_matches_original(outputs: dict[str, np.ndarray], reference) -> None:
    assert outputs["penultimate"].shape == (2, 200)
    # The reference holds patch 0 only (see the fixture's "source").
    np.testing.assert_allclose(
        outputs["penultimate"][:1], _array(reference["penultimate"]), rtol=0, atol=1e-4
    )


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_original(name: str, outputs: dict[str, np.ndarray], reference) -> None:
    # Includes the first and last frames, where a padding mistake would show.
    ours = outputs[name][0, reference["activation_frames"]]
    np.testing.assert_allclose(ours, _array(reference["activations"][name]), rtol=1e-4, atol=1e-3)


def test_saved_model_predicts_the_same(tmp_path: Path) -> None:
    model = build_musicnn_backbone()
    patches = np.random.default_rng(0).uniform(0, 4, size=(1, 187, 96)).astype("float32")
    path = tmp_path / "musicnn.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    before, after = model.predict(patches, verbose=0), restored.predict(patches, verbose=0)
    for name in ("pooled", "penultimate", "tags"):
        np.testing.assert_allclose(after[name], before[name], rtol=1e-6, atol=1e-6)


def test_missing_weights_tell_user_to_run_make_weights(tmp_path: Path) -> None:
    with pytest.raises(MissingWeightsError, match="make weights"):
        load_musicnn_backbone(tmp_path / "absent.weights.h5")


def test_weights_live_in_configured_data_dir_and_are_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMBRE_DATA_DIR", str(tmp_path))
    path = musicnn_weights_path()
    assert path == tmp_path / "weights" / "musicnn_msd.weights.h5"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"already converted")
    # Present weights are never re-downloaded or overwritten.
    assert ensure_musicnn_weights() == path
    assert path.read_bytes() == b"already converted"
