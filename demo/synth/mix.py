"""Mixing and mastering: balance the stems, add reverb, fade, peak-normalise."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import signal

from demo.synth.dsp import butterworth
from demo.synth.song import Song

PEAK_DBFS = -1.0
Stem = tuple[np.ndarray, float, float]  # (audio (n,), gain, reverb send)


def _reverb(x: np.ndarray, sr: int, rng: np.random.Generator, *, seconds: float) -> np.ndarray:
    """Convolution with decaying, darkening noise: cheap, dense and good enough for a demo."""
    t = np.arange(int(seconds * sr)) / sr
    noise = butterworth(rng.standard_normal(t.size), "lowpass", 5000.0, sr)
    ir = noise * np.exp(-6.9 * t / seconds)
    ir /= np.sqrt(np.sum(ir**2))
    return signal.oaconvolve(x, ir)[: x.size]


def master(song: Song, stems: Sequence[Stem], *, reverb_seconds: tuple[float, float]) -> np.ndarray:
    """Balance stems (each peak-normalised, then gained +-2 dB at random), add reverb, normalise."""
    rng, sr = song.rng, song.sr
    dry = np.zeros(song.n)
    send = np.zeros(song.n)
    for audio, gain, reverb_send in stems:
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak == 0.0 or gain == 0.0:
            continue
        level = gain * 10 ** (rng.uniform(-2.0, 2.0) / 20) / peak
        dry += level * audio
        send += level * reverb_send * audio
    mix = dry + _reverb(send, sr, rng, seconds=rng.uniform(*reverb_seconds))

    # Short fade-in against a click; a longer fade-out so a demo song ends rather than stops.
    fade_in = min(round(0.005 * sr), song.n)
    mix[:fade_in] *= np.linspace(0.0, 1.0, fade_in)
    fade_out = min(round(1.5 * sr), song.n // 10)
    if fade_out > 0:
        mix[-fade_out:] *= np.linspace(1.0, 0.0, fade_out) ** 2
    peak = float(np.max(np.abs(mix)))
    if peak > 0:
        mix *= 10 ** (PEAK_DBFS / 20) / peak
    return mix.astype(np.float32)
