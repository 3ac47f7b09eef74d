"""A model version's files on disk and the typed sidecar that describes it. Free of Keras.

A model artifact is a folder under MODEL_DIR holding `model.keras`, its JSON sidecar
`model.json` (class names, feature parameters, split, metrics, data fingerprint) and the
confusion matrix `confusion.png`. Web processes read these without loading Keras.

The sidecar is written and read here only, as a `ModelSidecar`. It carries a `format_version`:
sidecars written before there was one are version 1 and still load.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from classifier.models import ModelVersion

MODEL_FILENAME = "model.keras"
SIDECAR_FILENAME = "model.json"
CONFUSION_FILENAME = "confusion.png"
MUSIC_REFERENCE_FILENAME = "music_reference.npz"  # the not-music detector (classifier.nonmusic)

SIDECAR_FORMAT_VERSION = 2
_FIRST_FORMAT_VERSION = 1  # sidecars without a format_version


class SidecarFormatError(ValueError):
    """A sidecar this version of Timbre cannot read (newer, or missing required fields)."""


@dataclass(frozen=True)
class ModelSidecar:
    """What a saved model needs to be used and judged; `model.json` beside `model.keras`.

    `metrics` holds one entry per evaluation ("test": the held-out songs, "cv": cross-validation),
    each a `Metrics.to_dict()` or a cross-validation summary; `training` the options and fitting
    history; `calibration` how to turn the model's probabilities into calibrated ones.
    """

    architecture: str
    class_names: list[str]
    feature_params: dict[str, Any]
    data_fingerprint: str
    tag_names: list[str] = field(default_factory=list)
    split: dict[str, list[int]] = field(default_factory=dict)
    split_sizes: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    keras_version: str = ""
    keras_backend: str = ""
    created_at: str = ""
    format_version: int = SIDECAR_FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSidecar:
        version = int(data.get("format_version", _FIRST_FORMAT_VERSION))
        if version > SIDECAR_FORMAT_VERSION:
            raise SidecarFormatError(
                f"model sidecar format {version} is newer than this Timbre reads "
                f"({SIDECAR_FORMAT_VERSION}); upgrade Timbre to use this model"
            )
        known = {f.name for f in fields(cls)}
        missing = {"architecture", "class_names", "feature_params"} - set(data)
        if missing:
            raise SidecarFormatError(f"model sidecar lacks {sorted(missing)}")
        values = {key: value for key, value in data.items() if key in known}
        values.setdefault("data_fingerprint", "")
        values["format_version"] = version
        return cls(**values)


def model_version_artifact_dir(version: ModelVersion) -> Path:
    return Path(settings.MODEL_DIR) / version.artifact_path


def write_sidecar(artifact_dir: Path, sidecar: ModelSidecar) -> Path:
    path = artifact_dir / SIDECAR_FILENAME
    path.write_text(json.dumps(sidecar.to_dict(), indent=2))
    return path


def read_sidecar(artifact_dir: Path) -> ModelSidecar:
    """Raises SidecarFormatError for a sidecar from a newer Timbre or without its core fields."""
    return ModelSidecar.from_dict(json.loads((artifact_dir / SIDECAR_FILENAME).read_text()))
