"""Notes and the voices that play them: subtractive synth, plucked string, two-operator FM."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from demo.synth.dsp import adsr, osc, pluck
from demo.synth.harmony import hz
from demo.synth.song import Song


@dataclass(frozen=True)
class Note:
    start: float  # seconds
    length: float  # seconds the key is held
    midi: float
    velocity: float


Render = Callable[[float, int], np.ndarray]  # (frequency Hz, gate samples) -> waveform


def play(song: Song, notes: Sequence[Note], render: Render) -> np.ndarray:
    """Sum rendered notes into one track, shape (song.n,).

    Identical (pitch, length) notes recur constantly (a bass riff, a ride pattern), so each
    waveform is rendered once and reused.
    """
    out = np.zeros(song.n)
    cache: dict[tuple[float, int], np.ndarray] = {}
    for note in notes:
        start = round(note.start * song.sr)
        if start >= song.n or note.velocity <= 0:
            continue
        gate = max(1, round(note.length * song.sr))
        key = (note.midi, gate)
        if key not in cache:
            cache[key] = render(float(hz(note.midi)), gate)
        wave = cache[key]
        lo = max(start, 0)
        hi = min(start + wave.size, song.n)
        out[lo:hi] += note.velocity * wave[lo - start : hi - start]
    return out


def synth_voice(
    *,
    sr: int,
    wave: str,
    envelope: tuple[float, float, float, float],
    detune_cents: Sequence[float] = (0.0,),
) -> Render:
    """Subtractive-synth voice: detuned oscillators under an (attack, decay, sustain, release)
    envelope, times in seconds; the caller filters the summed track."""
    attack, decay, sustain, release = envelope

    def render(freq: float, gate: int) -> np.ndarray:
        length = gate + int(release * sr)
        tone = sum(
            osc(wave, freq * 2 ** (c / 1200), length, sr, phase=0.29 * k)
            for k, c in enumerate(detune_cents)
        )
        env = adsr(length, gate, sr, attack=attack, decay=decay, sustain=sustain, release=release)
        return tone / len(detune_cents) * env

    return render


def pluck_voice(*, sr: int, decay: float, harmonics: int, damping: float) -> Render:
    def render(freq: float, gate: int) -> np.ndarray:
        length = min(gate, int(decay * 5 * sr)) + int(0.2 * sr)
        return pluck(freq, length, gate, sr, decay=decay, harmonics=harmonics, damping=damping)

    return render


def fm_voice(
    *, sr: int, ratio: float, index: float, decay: float, tine: float = 0.0, attack: float = 0.003
) -> Render:
    """Two-operator FM: an electric piano (ratio 1) or a bell (inharmonic ratio)."""

    def render(freq: float, gate: int) -> np.ndarray:
        length = min(gate, int(decay * 4 * sr)) + int(0.15 * sr)
        t = np.arange(length) / sr
        mod = index * np.exp(-t / (0.3 * decay)) * np.sin(2 * np.pi * ratio * freq * t)
        tone = np.sin(2 * np.pi * freq * t + mod)
        tone += tine * np.sin(2 * np.pi * min(14 * freq, 0.45 * sr) * t) * np.exp(-t / 0.03)
        off = gate / sr
        gate_env = np.where(t < off, 1.0, np.exp(-(t - off) / 0.05))
        return tone * np.exp(-t / decay) * np.minimum(1.0, t / attack) * gate_env

    return render
