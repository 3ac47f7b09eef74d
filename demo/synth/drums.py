"""Drums: one-shot samples, placed by convolving with an impulse train."""

from __future__ import annotations

import numpy as np
from scipy import signal

from demo.synth.dsp import butterworth, osc
from demo.synth.song import Song


def kick(sr: int, *, pitch: float, decay: float, click: float = 0.3) -> np.ndarray:
    t = np.arange(int(sr * decay * 4)) / sr
    freq = pitch + 3.0 * pitch * np.exp(-t / 0.03)  # fast downward sweep is the "thump"
    body = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / decay)
    return body + click * np.exp(-t / 0.002) * np.sin(2 * np.pi * 1500 * t)


def snare(
    sr: int, rng: np.random.Generator, *, tone: float, decay: float, brightness: float
) -> np.ndarray:
    t = np.arange(int(sr * decay * 5)) / sr
    noise = butterworth(rng.standard_normal(t.size), "bandpass", [1000.0, brightness], sr)
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.04)
    return 3.0 * noise * np.exp(-t / decay) + 0.6 * body


def clap(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(sr * 0.3)) / sr
    noise = butterworth(rng.standard_normal(t.size), "bandpass", [900.0, 3000.0], sr)
    # Three quick bursts then a tail: what makes a clap read as hands rather than a snare.
    bursts = sum(np.exp(-np.clip(t - d, 0, None) / 0.006) * (t >= d) for d in (0, 0.011, 0.022))
    return 3.0 * noise * (0.5 * bursts + np.exp(-np.clip(t - 0.022, 0, None) / 0.06))


def hat(sr: int, rng: np.random.Generator, *, decay: float, cutoff: float = 7000.0) -> np.ndarray:
    t = np.arange(int(sr * decay * 5)) / sr
    return butterworth(rng.standard_normal(t.size), "highpass", cutoff, sr) * np.exp(-t / decay)


def ride(sr: int, rng: np.random.Generator, *, decay: float, pitch: float) -> np.ndarray:
    """Metallic ride: six detuned square waves (the classic drum-machine cymbal) plus a ping."""
    t = np.arange(int(sr * decay * 4))
    ratios = (1.0, 1.48, 1.8, 2.55, 2.63, 3.9)
    metal = np.asarray(
        sum(osc("square", pitch * r, t.size, sr, phase=0.13 * k) for k, r in enumerate(ratios))
    )
    metal = butterworth(metal, "highpass", 3000.0, sr) / len(ratios)
    ping = np.sin(2 * np.pi * 5200.0 * t / sr) * np.exp(-t / sr / 0.25)
    wash = butterworth(rng.standard_normal(t.size), "highpass", 6000.0, sr)
    return (metal + 0.15 * ping + 0.15 * wash) * np.exp(-t / sr / decay)


def hits(song: Song, sample: np.ndarray, times: np.ndarray, vels: np.ndarray) -> np.ndarray:
    """Place `sample` at `times` (seconds) with velocities `vels`; returns shape (song.n,)."""
    impulses = np.zeros(song.n)
    idx = np.round(np.asarray(times) * song.sr).astype(np.int64)
    keep = (idx >= 0) & (idx < song.n)
    np.add.at(impulses, idx[keep], np.asarray(vels, dtype=np.float64)[keep])
    return signal.oaconvolve(impulses, sample)[: song.n]
