"""Fetch the pretrained musicnn (MSD) checkpoint and convert it to Keras weights, once.

The checkpoint ships inside the `musicnn==0.1.0` wheel on PyPI (ISC licence). We download the
wheel with pip (no dependencies, nothing installed), check its SHA-256, read the TF1 checkpoint
with TensorFlow's checkpoint reader, copy the variables into the Keras port
(`classifier.nets.musicnn`) and save `<data>/weights/musicnn_msd.weights.h5`.

TensorFlow is imported only while converting: it is the one thing that reads the checkpoint
format, while the converted model runs on any Keras backend.

Run `python -m classifier.weights` (or `make weights`); a second run is a no-op, and a cached
wheel is re-used offline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from classifier.nets.musicnn import build_musicnn_backbone
from classifier.nets.weights_file import WEIGHTS_FILENAME, musicnn_weights_path
from timbre.paths import data_dir as default_data_dir

if TYPE_CHECKING:
    import keras

logger = logging.getLogger(__name__)

MUSICNN_VERSION = "0.1.0"
MUSICNN_WHEEL = f"musicnn-{MUSICNN_VERSION}-py3-none-any.whl"
MUSICNN_WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"

# Inside the wheel the checkpoint files have no stem (".index", ".data-00000-of-00001"), so the
# checkpoint prefix is the folder itself with a trailing slash.
_CHECKPOINT_DIR = "musicnn/MSD_musicnn/"
_CHECKPOINT_FILES = (".index", ".data-00000-of-00001")


# Checkpoint variable scope -> Keras layer name in `build_musicnn_backbone`. The TF1 names are
# numbered in graph-construction order: input norm, timbral (38, 67 bands), temporal (128, 64,
# 32 frames), the three mid-end layers, then the back end.
_CONV_LAYERS: dict[str, str] = {
    "conv2d": "timbral_38_conv",
    "conv2d_1": "timbral_67_conv",
    "conv2d_2": "temporal_128_conv",
    "conv2d_3": "temporal_64_conv",
    "conv2d_4": "temporal_32_conv",
    "conv2d_5": "midend_conv1",
    "conv2d_6": "midend_conv2",
    "conv2d_7": "midend_conv3",
    "dense": "penultimate_dense",
    "dense_1": "tags",
}
_BATCH_NORM_LAYERS: dict[str, str] = {
    "batch_normalization": "input_bn",
    "batch_normalization_1": "timbral_38_bn",
    "batch_normalization_2": "timbral_67_bn",
    "batch_normalization_3": "temporal_128_bn",
    "batch_normalization_4": "temporal_64_bn",
    "batch_normalization_5": "temporal_32_bn",
    "batch_normalization_6": "midend_bn1",
    "batch_normalization_7": "midend_bn2",
    "batch_normalization_8": "midend_bn3",
    "batch_normalization_9": "pooled_bn",
    "batch_normalization_10": "penultimate",
}
# Training-only state stored beside the weights.
_IGNORED_SUFFIXES = ("/Adam", "/Adam_1")
_IGNORED_NAMES = ("beta1_power", "beta2_power")


class WeightsDownloadError(RuntimeError):
    """The musicnn wheel could not be fetched or is not the file we expect."""


def ensure_musicnn_weights(data_dir: Path | None = None) -> Path:
    """Make sure the converted musicnn MSD weights exist and return their path.

    Downloads the wheel into `<data>/cache` unless a verified copy is there, converts the
    checkpoint and writes the weights atomically. Does nothing if the weights already exist.
    """
    data_dir = data_dir or default_data_dir()
    target = musicnn_weights_path(data_dir)
    if target.is_file():
        return target

    wheel = fetch_musicnn_wheel(data_dir / "cache")
    with tempfile.TemporaryDirectory(prefix="musicnn-") as tmp:
        prefix = _extract_checkpoint(wheel, Path(tmp))
        variables = read_checkpoint(prefix)

    model = build_musicnn_backbone()
    convert_musicnn_checkpoint(variables, model)

    target.parent.mkdir(parents=True, exist_ok=True)
    # Keras insists on the ".weights.h5" ending; write beside the target and rename so a
    # crash never leaves a half-written file that the next run would take as done.
    partial = target.with_name(f"partial-{os.getpid()}.{WEIGHTS_FILENAME}")
    try:
        model.save_weights(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("Saved musicnn MSD weights to %s", target)
    return target


def fetch_musicnn_wheel(cache_dir: Path) -> Path:
    """Return the verified musicnn wheel in `cache_dir`, downloading it with pip if needed."""
    wheel = cache_dir / MUSICNN_WHEEL
    if wheel.is_file() and _sha256(wheel) == MUSICNN_WHEEL_SHA256:
        return wheel

    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("Downloading musicnn==%s from PyPI into %s", MUSICNN_VERSION, cache_dir)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        f"musicnn=={MUSICNN_VERSION}",
        "--dest",
        str(cache_dir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not wheel.is_file():
        raise WeightsDownloadError(
            f"Could not download musicnn=={MUSICNN_VERSION} from PyPI "
            f"(pip exited with {result.returncode}): {result.stderr.strip()[-500:]}"
        )
    digest = _sha256(wheel)
    if digest != MUSICNN_WHEEL_SHA256:
        wheel.unlink()
        raise WeightsDownloadError(
            f"The downloaded {MUSICNN_WHEEL} has SHA-256 {digest}, "
            f"expected {MUSICNN_WHEEL_SHA256}; it was deleted."
        )
    return wheel


def read_checkpoint(prefix: str) -> dict[str, np.ndarray]:
    """Every variable of a TF checkpoint, by name (Adam slots included)."""
    import tensorflow as tf

    reader = tf.compat.v1.train.NewCheckpointReader(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def convert_musicnn_checkpoint(variables: Mapping[str, np.ndarray], model: keras.Model) -> None:
    """Copy the original checkpoint's variables into `build_musicnn_backbone()`'s layers.

    Raises ValueError if a variable is missing, left over, or has an unexpected shape, so a
    silent mismatch between the port and the checkpoint cannot happen.
    """
    used: set[str] = set()

    def take(name: str) -> np.ndarray:
        used.add(name)
        return np.asarray(variables[name], dtype=np.float32)

    for scope, layer_name in _CONV_LAYERS.items():
        layer = model.get_layer(layer_name)
        kernel, bias = take(f"{scope}/kernel"), take(f"{scope}/bias")
        expected = tuple(layer.kernel.shape)
        if layer_name.startswith("midend_conv"):
            # The original runs its 1-D mid-end convolutions as 2-D ones over a
            # (time, channels, 1) map: drop the unit input-channel axis.
            kernel = kernel.reshape(expected)
        if layer_name == "penultimate_dense":
            kernel = kernel[_POOLED_ORDER]
        _set_weights(layer, [kernel, bias])

    for scope, layer_name in _BATCH_NORM_LAYERS.items():
        params = [
            take(f"{scope}/{part}") for part in ("gamma", "beta", "moving_mean", "moving_variance")
        ]
        if layer_name == "pooled_bn":
            params = [p[_POOLED_ORDER] for p in params]
        _set_weights(model.get_layer(layer_name), params)

    leftover = {
        name
        for name in variables
        if name not in used and name not in _IGNORED_NAMES and not name.endswith(_IGNORED_SUFFIXES)
    }
    if leftover:
        raise ValueError(f"Checkpoint variables not mapped to the Keras port: {sorted(leftover)}")


def _pooled_order(channels: int = 753) -> np.ndarray:
    """Index map from our pooled layout to the original's.

    The original stacks max and mean per channel and flattens, i.e. it interleaves
    [max_0, mean_0, max_1, mean_1, ...]; we concatenate [mean_0..mean_752, max_0..max_752].
    Entry k of ours is entry `order[k]` of theirs.
    """
    channel = np.arange(channels)
    return np.concatenate([2 * channel + 1, 2 * channel])


_POOLED_ORDER = _pooled_order()


def _set_weights(layer: keras.layers.Layer, values: list[np.ndarray]) -> None:
    expected = [tuple(w.shape) for w in layer.get_weights()]
    got = [v.shape for v in values]
    if expected != got:
        raise ValueError(f"Layer {layer.name!r} expects shapes {expected}, checkpoint has {got}")
    layer.set_weights(values)


def _extract_checkpoint(wheel: Path, dest: Path) -> str:
    """Unpack the MSD checkpoint files from the wheel; return the checkpoint prefix."""
    with zipfile.ZipFile(wheel) as archive:
        for suffix in _CHECKPOINT_FILES:
            member = _CHECKPOINT_DIR + suffix
            (dest / suffix).write_bytes(archive.read(member))
    return f"{dest}{os.sep}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(ensure_musicnn_weights())


if __name__ == "__main__":
    main()
