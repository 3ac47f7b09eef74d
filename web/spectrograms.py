"""The song page's picture of what the model sees: a log-mel spectrogram of the first 30 seconds.

Drawn with the feature parameters of the model that serves recommendations, so the picture is the
model's own input, and cached as a PNG under CACHE_DIR/spectrograms/ by file hash and preset: the
same bytes always draw the same picture, whoever owns them. Deleting the folder is safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

from audio.decode import load_audio
from classifier.models import ModelVersion
from library.files import song_file_path
from library.models import Song

if TYPE_CHECKING:
    from audio.features import FeatureParams

SPECTROGRAM_SECONDS = 30.0


def spectrogram_params(*, version: ModelVersion | None) -> FeatureParams:
    """The serving model's feature preset; musicnn's before any model exists."""
    # librosa (through audio.features) is imported on first use, not with the web process.
    from audio import features

    stored = version.feature_params if version is not None else None
    if not stored:
        return features.MUSICNN
    try:
        return features.FeatureParams.from_dict(stored)
    except (TypeError, ValueError):
        # Incomplete or newer parameters: the preset of that name, else musicnn's.
        presets = (features.MUSICNN, features.SEED)
        return next((p for p in presets if p.preset == stored.get("preset")), features.MUSICNN)


def spectrogram_path(*, song: Song, params: FeatureParams) -> Path:
    return Path(settings.CACHE_DIR) / "spectrograms" / f"{song.sha256}-{params.preset}.png"


def song_spectrogram_png(*, song: Song, params: FeatureParams) -> Path:
    """The cached PNG of `song`'s spectrogram, drawn first if needed.

    Raises InvalidAudioError when the file cannot be decoded, FileNotFoundError when it is gone.
    """
    path = spectrogram_path(song=song, params=params)
    if path.is_file():
        return path
    from audio.features import log_mel_spectrogram  # librosa: on first use, as above

    audio = load_audio(
        song_file_path(song=song),
        sample_rate=params.sample_rate,
        max_windows=1,
        window_seconds=SPECTROGRAM_SECONDS,
    )
    mel = log_mel_spectrogram(audio.windows[0], params=params)  # (frames, n_mels)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a concurrent request never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".png.part")
    os.close(handle)
    try:
        _draw(mel, params=params, seconds=len(audio.windows[0]) / params.sample_rate, to=temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def _draw(mel: np.ndarray, *, params: FeatureParams, seconds: float, to: str) -> None:
    # The object API with the Agg canvas, not pyplot: no global state shared between requests.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9.6, 3.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.06, 0.16, 0.93, 0.8))
    image = axes.imshow(
        mel.T,  # (n_mels, frames): low bands at the bottom
        origin="lower",
        aspect="auto",
        cmap="magma",
        interpolation="nearest",
        extent=(0.0, seconds, 0.0, float(params.n_mels)),
    )
    image.set_rasterized(True)
    axes.set_xlabel("seconds")
    axes.set_ylabel("mel band")
    figure.savefig(to, format="png")
