"""Filters, oscillators, envelopes: the signal-processing building blocks of every sound."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy import signal

FilterKind = Literal["lowpass", "highpass", "bandpass"]


def _sos(kind: FilterKind, cutoff: float | Sequence[float], sr: int) -> np.ndarray:
    # Clamp below Nyquist so low sample rates still work (hats simply get duller).
    nyq = sr / 2.0
    cut = np.clip(np.asarray(cutoff, dtype=np.float64), 20.0, 0.45 * sr) / nyq
    return signal.butter(2, cut.tolist(), btype=kind, output="sos")


def butterworth(
    x: np.ndarray, kind: FilterKind, cutoff: float | Sequence[float], sr: int
) -> np.ndarray:
    """Second-order Butterworth; `cutoff` is Hz, or (low, high) Hz for a bandpass."""
    return signal.sosfilt(_sos(kind, cutoff, sr), x)


def _blep(frac: np.ndarray, dt: float) -> np.ndarray:
    """PolyBLEP correction that takes the aliasing edge off saw and square waves."""
    out = np.zeros_like(frac)
    lo = frac < dt
    x = frac[lo] / dt
    out[lo] = 2 * x - x * x - 1
    hi = frac > 1 - dt
    x = (frac[hi] - 1) / dt
    out[hi] = x * x + 2 * x + 1
    return out


def osc(wave: str, freq: float, length: int, sr: int, phase: float = 0.0) -> np.ndarray:
    """One oscillator, shape (length,), amplitude about 1."""
    cycles = freq * np.arange(length) / sr + phase
    if wave == "sine":
        return np.sin(2 * np.pi * cycles)
    frac = cycles % 1.0
    dt = min(freq / sr, 0.5)
    if wave == "triangle":
        return 4 * np.abs(frac - 0.5) - 1
    saw = 2 * frac - 1 - _blep(frac, dt)
    if wave == "saw":
        return saw
    if wave == "square":
        frac2 = (frac + 0.5) % 1.0
        return saw - (2 * frac2 - 1 - _blep(frac2, dt))
    raise ValueError(f"unknown waveform {wave!r}")


def adsr(
    length: int, gate: int, sr: int, *, attack: float, decay: float, sustain: float, release: float
) -> np.ndarray:
    """Linear ADSR, shape (length,); note-off after `gate` samples, released from where it is."""
    t = np.arange(length) / sr
    held_t = [0.0, attack, attack + decay]
    held_v = [0.0, 1.0, sustain]
    off_t = gate / sr
    level_at_off = float(np.interp(off_t, held_t, held_v))
    held = np.interp(t, held_t, held_v)
    released = level_at_off * np.clip(1.0 - (t - off_t) / max(release, 1e-3), 0.0, 1.0)
    return np.where(t < off_t, held, released)


def pluck(
    freq: float,
    length: int,
    gate: int,
    sr: int,
    *,
    decay: float,
    harmonics: int,
    damping: float,
    release: float = 0.04,
) -> np.ndarray:
    """Additive plucked string: harmonic k decays `damping * k` per second faster than the first.

    sin(k x) by the Chebyshev recurrence and exp(-k d t) by repeated products keep it to a few
    multiply-adds per harmonic instead of a sin and an exp each.
    """
    t = np.arange(length) / sr
    theta = 2 * np.pi * freq * t
    s_prev, s_k = np.zeros(length), np.sin(theta)
    two_cos = 2 * np.cos(theta)
    step = np.exp(-damping * t)
    damp_k = step.copy()
    out = np.zeros(length)
    for k in range(1, harmonics + 1):
        if k * freq >= 0.45 * sr:
            break
        out += s_k * damp_k / k
        s_prev, s_k = s_k, two_cos * s_k - s_prev
        damp_k *= step
    env = np.exp(-t / decay) * np.minimum(1.0, t / 0.002)
    off = gate / sr
    env *= np.where(t < off, 1.0, np.exp(-(t - off) / release))
    return out * env
