"""Where a model version's files live, and what they are called. Free of Keras on purpose.

A model artifact is a folder under MODEL_DIR holding `model.keras`, its JSON sidecar
`model.json` (class names, feature parameters, split, metrics, data fingerprint) and the test
confusion matrix `confusion.png`. Web processes read these names without loading Keras.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from classifier.models import ModelVersion

MODEL_FILENAME = "model.keras"
SIDECAR_FILENAME = "model.json"
CONFUSION_FILENAME = "confusion.png"


def model_version_artifact_dir(version: ModelVersion) -> Path:
    return Path(settings.MODEL_DIR) / version.artifact_path


def read_sidecar(artifact_dir: Path) -> dict[str, Any]:
    return json.loads((artifact_dir / SIDECAR_FILENAME).read_text())
