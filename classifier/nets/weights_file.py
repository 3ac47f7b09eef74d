"""Where the converted musicnn weights live, and the error when they are not there yet."""

from __future__ import annotations

from pathlib import Path

from timbre.paths import data_dir

WEIGHTS_FILENAME = "musicnn_msd.weights.h5"


class MissingWeightsError(RuntimeError):
    """The converted musicnn weights are not on disk yet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"The pretrained musicnn weights are missing (expected {path}). "
            "Run `make weights` (or `python -m classifier.weights`) once, with access to PyPI, "
            "to download and convert them."
        )


def musicnn_weights_path(root: Path | None = None) -> Path:
    """Path of the converted Keras weights (may not exist yet)."""
    return (root or data_dir()) / "weights" / WEIGHTS_FILENAME
