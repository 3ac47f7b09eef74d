"""Per-song features computed once and kept on disk, keyed by content and parameters.

Training reads every labelled song's log-mel segments (and, for the pretrained network, its
frozen backbone outputs) many times across runs; decoding and featurising them again each time
would dominate training. Entries are keyed by the file's SHA-256 and a hash of the feature
parameters, so a relabelled song reuses its entry and changed parameters never read stale ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings

from audio.features import FeatureParams, file_segments


def cache_root() -> Path:
    return Path(settings.CACHE_DIR) / "features"


def params_key(params: FeatureParams) -> str:
    encoded = json.dumps(params.to_dict(), sort_keys=True).encode()
    return f"{params.preset}-{hashlib.sha256(encoded).hexdigest()[:12]}"


def _cached(path: Path, compute: Callable[[], np.ndarray], *, dtype: type) -> np.ndarray:
    if path.is_file():
        return np.load(path).astype(np.float32)
    array = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a crash mid-write must never leave a truncated entry behind.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as handle:
        np.save(handle, array.astype(dtype))
    os.replace(handle.name, path)
    return array.astype(np.float32)


def song_segments(*, audio_path: Path, sha256: str, params: FeatureParams) -> np.ndarray:
    """Model inputs for a song: (n_segments, *params.input_shape) float32.

    Raises InvalidAudioError when the file cannot be analysed.
    """

    def compute() -> np.ndarray:
        return file_segments(audio_path, params=params)

    # float16 halves the cache; log-mel values (about -100..60 dB, 0..5 log10) keep 3 digits.
    return _cached(cache_root() / params_key(params) / f"{sha256}.npy", compute, dtype=np.float16)


def song_backbone_features(
    *, sha256: str, params: FeatureParams, backbone_key: str, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """Frozen-backbone outputs for a song's segments, (n_segments, dim) float32."""
    folder = cache_root() / f"{params_key(params)}-{backbone_key}"
    return _cached(folder / f"{sha256}.npy", compute, dtype=np.float32)
