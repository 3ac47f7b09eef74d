"""The model sidecar: typed, versioned, and older sidecars still load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.architectures import Architecture
from classifier.artifacts import (
    SIDECAR_FILENAME,
    SIDECAR_FORMAT_VERSION,
    ModelSidecar,
    SidecarFormatError,
    read_sidecar,
    write_sidecar,
)
from classifier.features import MUSICNN, SEED
from classifier.models import ModelVersion
from classifier.trainer import FEATURE_PRESETS, feature_params_for


def _sidecar() -> ModelSidecar:
    return ModelSidecar(
        architecture=Architecture.MUSICNN,
        class_names=["jazz", "rock"],
        feature_params=MUSICNN.to_dict(),
        data_fingerprint="abc",
        metrics={"cv": {"track_accuracy": {"mean": 0.8, "std": 0.05}}},
        calibration={"temperature": 1.5},
    )


def test_sidecar_round_trips_with_its_format_version(tmp_path: Path) -> None:
    write_sidecar(tmp_path, _sidecar())

    raw = json.loads((tmp_path / SIDECAR_FILENAME).read_text())
    assert raw["format_version"] == SIDECAR_FORMAT_VERSION
    assert read_sidecar(tmp_path) == _sidecar()


def test_a_sidecar_from_before_format_versions_loads_as_version_1(tmp_path: Path) -> None:
    old = {
        "architecture": "musicnn", "class_names": ["jazz", "rock"],
        "feature_params": MUSICNN.to_dict(), "tag_names": [], "split": {"test": [3]},
        "split_sizes": {"test": 1}, "metrics": {"test": {"track_accuracy": 1.0}},
        "training": {"best_epoch": 3}, "data_fingerprint": "f", "keras_version": "3",
        "keras_backend": "tensorflow", "created_at": "2026-01-01T00:00:00+00:00",
    }  # fmt: skip
    (tmp_path / SIDECAR_FILENAME).write_text(json.dumps(old))

    sidecar = read_sidecar(tmp_path)

    assert sidecar.format_version == 1
    assert sidecar.metrics["test"]["track_accuracy"] == 1.0
    assert sidecar.calibration == {}


def test_a_sidecar_from_a_newer_timbre_is_refused_with_a_reason(tmp_path: Path) -> None:
    newer = {**_sidecar().to_dict(), "format_version": SIDECAR_FORMAT_VERSION + 1}
    (tmp_path / SIDECAR_FILENAME).write_text(json.dumps(newer))

    with pytest.raises(SidecarFormatError, match="newer"):
        read_sidecar(tmp_path)


def test_one_architecture_list_behind_models_trainer_and_feature_presets() -> None:
    assert ModelVersion.Architecture is Architecture
    assert set(FEATURE_PRESETS) == set(Architecture)
    assert feature_params_for("seed") == SEED
    for architecture in Architecture:
        assert feature_params_for(architecture).preset == architecture.value
