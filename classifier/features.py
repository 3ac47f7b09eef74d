"""Log-mel spectrograms and the fixed-size segments the networks take as input.

One frozen `FeatureParams` describes the whole transform; training and inference read the same
object and it is saved beside every model, so a model is never fed features it was not trained on.

The spectrogram is computed here (numpy framing, scipy FFT, librosa's mel filterbank) rather than by
`librosa.feature.melspectrogram` so that long inputs are processed in bounded blocks; it matches
librosa's output (tests pin it), and for the musicnn preset it reproduces the original network's
input exactly.
"""

from __future__ import annotations

import functools
import os
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import librosa
import numpy as np
import scipy.fft
import scipy.signal

from classifier.audio import DecodedAudio, load_audio

LogScale = Literal["log10_1p", "db"]
_LOG_SCALES = ("log10_1p", "db")
_STFT_BLOCK_FRAMES = 1024  # frames per FFT block: bounds the framed copy to a few MB


@dataclass(frozen=True)
class FeatureParams:
    """Everything that decides what a model sees for a piece of audio.

    log_scale "log10_1p": log10(1 + log_gain * mel), musicnn's compression. "db":
    10 * log10(max(mel, db_amin)) against a fixed reference of 1.0 (power of a full-scale signal
    is about 1e4 to 1e5 per band), so values run from 10 * log10(db_amin) = -100 dB up to about
    +50 dB. The reference is fixed, not the loudest bin (`ref=np.max`), so a quiet recording stays
    quiet: loudness is information, and a segment's features do not depend on the rest of the file.

    channels_last True: a segment is an image (n_mels, patch_frames, 1), mel x time x channel,
    lowest band first; False: (patch_frames, n_mels), time x mel, as musicnn takes it.
    """

    preset: str
    sample_rate: int
    n_fft: int
    hop_length: int
    n_mels: int
    fmin: float
    fmax: float | None
    log_scale: LogScale
    patch_frames: int
    patch_hop_frames: int
    channels_last: bool
    # librosa.feature.melspectrogram's defaults (librosa >= 0.10): Hann window, centred frames
    # padded with zeros, power spectrum, Slaney mel scale and area normalisation.
    center: bool = True
    pad_mode: Literal["constant", "reflect"] = "constant"
    htk: bool = False
    mel_norm: Literal["slaney"] | None = "slaney"
    log_gain: float = 10000.0
    db_amin: float = 1e-10
    # How much of a file is analysed: all of it up to windows x seconds, else that many windows
    # evenly spread over it. Bounds a worker's cost per song whatever the file's length (a 4-min
    # MP3 costs 16 musicnn patches, not 80) and applies to training and inference alike.
    analysis_windows: int = 8
    analysis_window_seconds: float = 6.0

    def __post_init__(self) -> None:
        if self.log_scale not in _LOG_SCALES:
            raise ValueError(f"log_scale must be one of {_LOG_SCALES}, got {self.log_scale!r}")
        for name in ("sample_rate", "n_fft", "hop_length", "n_mels", "patch_frames"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.patch_hop_frames <= 0:
            raise ValueError(f"patch_hop_frames must be positive, got {self.patch_hop_frames}")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The model's per-segment input shape (without the batch axis)."""
        if self.channels_last:
            return (self.n_mels, self.patch_frames, 1)
        return (self.patch_frames, self.n_mels)

    @property
    def patch_seconds(self) -> float:
        """Audio covered by one segment."""
        return self.patch_frames * self.hop_length / self.sample_rate

    def frame_count(self, num_samples: int) -> int:
        """Spectrogram frames for a signal of num_samples samples."""
        if self.center:
            return 1 + num_samples // self.hop_length
        return 1 + max(0, num_samples - self.n_fft) // self.hop_length

    def segment_count(self, num_samples: int) -> int:
        """Segments `segment_spectrogram` cuts from a signal of num_samples samples (>= 1)."""
        frames = self.frame_count(num_samples)
        return 1 + max(0, frames - self.patch_frames) // self.patch_hop_frames

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureParams:
        """Inverse of to_dict; unknown keys are an error (features from a newer version)."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown feature parameters: {sorted(unknown)}")
        return cls(**data)


# Reference CNN: 256 x 256 images, 2.97 s each. A hop of 232 frames fits exactly 11 of them in the
# 2,584 frames of a 30-s clip (10 * 232 + 256 = 2,576), overlapping by 24 frames.
SEED = FeatureParams(
    preset="seed",
    sample_rate=22050,
    n_fft=2048,
    hop_length=256,
    n_mels=256,
    fmin=0.0,
    fmax=None,
    log_scale="db",
    patch_frames=256,
    patch_hop_frames=232,
    channels_last=True,
)

# Pretrained musicnn (MSD): its training input, 3-s patches without overlap.
MUSICNN = FeatureParams(
    preset="musicnn",
    sample_rate=16000,
    n_fft=512,
    hop_length=256,
    n_mels=96,
    fmin=0.0,
    fmax=None,
    log_scale="log10_1p",
    patch_frames=187,
    patch_hop_frames=187,
    channels_last=False,
)


def mel_power_spectrogram(samples: np.ndarray, *, params: FeatureParams) -> np.ndarray:
    """Mel power spectrogram of a mono signal (n_samples,) -> (frames, n_mels) float32.

    Equals `librosa.feature.melspectrogram(y=samples, ...).T` for the same parameters.
    """
    signal = np.asarray(samples, dtype=np.float32)
    if signal.ndim != 1:
        raise ValueError(f"samples must be mono (n_samples,), got shape {signal.shape}")
    n_fft, hop = params.n_fft, params.hop_length
    if params.center:
        signal = np.pad(signal, n_fft // 2, mode=params.pad_mode)
    if len(signal) < n_fft:
        raise ValueError(f"need at least n_fft={n_fft} samples, got {len(signal)}")
    frames = np.lib.stride_tricks.sliding_window_view(signal, n_fft)[::hop]  # a view, no copy
    window = _window(n_fft)
    filterbank = _mel_filterbank(params)  # (n_fft // 2 + 1, n_mels)
    mel = np.empty((len(frames), params.n_mels), dtype=np.float32)
    for first in range(0, len(frames), _STFT_BLOCK_FRAMES):
        block = frames[first : first + _STFT_BLOCK_FRAMES] * window
        spectrum = scipy.fft.rfft(block, axis=1)
        power = np.square(spectrum.real) + np.square(spectrum.imag)
        np.matmul(power, filterbank, out=mel[first : first + len(block)])
    return mel


def log_mel_spectrogram(samples: np.ndarray, *, params: FeatureParams) -> np.ndarray:
    """Log-compressed mel spectrogram of a mono signal (n_samples,) -> (frames, n_mels) float32."""
    mel = mel_power_spectrogram(samples, params=params)
    if params.log_scale == "log10_1p":
        # musicnn's exact expression and float32 arithmetic: np.log10(10000 * mel + 1).
        return np.log10(np.float32(params.log_gain) * mel + np.float32(1.0))
    return np.float32(10.0) * np.log10(np.maximum(mel, np.float32(params.db_amin)))


def segment_spectrogram(mel: np.ndarray, *, params: FeatureParams) -> np.ndarray:
    """Cut a (frames, n_mels) spectrogram into model inputs (n, *params.input_shape) float32.

    Patches start every patch_hop_frames; frames after the last whole patch are dropped, as
    musicnn does. A spectrogram shorter than one patch is repeated to fill one.
    """
    if mel.ndim != 2 or mel.shape[1] != params.n_mels:
        raise ValueError(f"expected (frames, {params.n_mels}), got shape {mel.shape}")
    if len(mel) == 0:
        raise ValueError("cannot segment an empty spectrogram")
    if len(mel) < params.patch_frames:
        # Repeating the music reads more like music than padding with silence or one frame.
        mel = np.resize(mel, (params.patch_frames, params.n_mels))
    patches = np.lib.stride_tricks.sliding_window_view(mel, params.patch_frames, axis=0)
    patches = patches[:: params.patch_hop_frames]  # (n, n_mels, patch_frames), a view
    out = patches[..., np.newaxis] if params.channels_last else patches.transpose(0, 2, 1)
    return np.ascontiguousarray(out, dtype=np.float32)


def load_analysed_audio(path: str | os.PathLike[str], *, params: FeatureParams) -> DecodedAudio:
    """Decode the part of a file that `params` analyses. Raises InvalidAudioError."""
    return load_audio(
        path,
        sample_rate=params.sample_rate,
        max_windows=params.analysis_windows,
        window_seconds=params.analysis_window_seconds,
    )


def file_segments(path: str | os.PathLike[str], *, params: FeatureParams) -> np.ndarray:
    """Decode the analysed windows of a file and featurise them: (n, *params.input_shape).

    Raises InvalidAudioError for files that cannot be analysed.
    """
    return audio_segments(load_analysed_audio(path, params=params), params=params)


def audio_segments(audio: DecodedAudio, *, params: FeatureParams) -> np.ndarray:
    """All model inputs for decoded audio: (n, *params.input_shape) float32.

    Each window is segmented on its own, so a segment never spans two windows.
    """
    if audio.sample_rate != params.sample_rate:
        raise ValueError(
            f"audio is at {audio.sample_rate} Hz but the {params.preset!r} features need "
            f"{params.sample_rate} Hz; load it with load_audio(..., sample_rate="
            f"{params.sample_rate})"
        )
    segments = [
        segment_spectrogram(log_mel_spectrogram(window, params=params), params=params)
        for window in audio.windows
    ]
    if not segments:
        return np.zeros((0, *params.input_shape), dtype=np.float32)
    return np.concatenate(segments)


@functools.cache
def _window(n_fft: int) -> np.ndarray:
    # Periodic Hann, as librosa.filters.get_window("hann", n_fft, fftbins=True).
    window = scipy.signal.get_window("hann", n_fft, fftbins=True).astype(np.float32)
    window.flags.writeable = False
    return window


@functools.cache
def _mel_filterbank(params: FeatureParams) -> np.ndarray:
    """(n_fft // 2 + 1, n_mels) float32, librosa's filterbank transposed for a right matmul."""
    bank = librosa.filters.mel(
        sr=params.sample_rate,
        n_fft=params.n_fft,
        n_mels=params.n_mels,
        fmin=params.fmin,
        fmax=params.fmax,
        htk=params.htk,
        norm=params.mel_norm,
        dtype=np.float32,
    )
    transposed = np.ascontiguousarray(bank.T)
    transposed.flags.writeable = False
    return transposed
