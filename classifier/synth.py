"""Procedural demo music: a few plainly synthetic styles to listen to and to train a first model on.

A fresh install has no music, so `synthesize_song` makes some. Each style differs in everything a
genre classifier could listen for: drum pattern and swing, tempo range, metre, bass line, chord
progression and voicing, and timbre (waveforms, envelopes, filter brightness, reverb). Within a
style every seed draws its own tempo, key, progression, patterns, sounds and mix levels, so a
model has to learn the style rather than one recording.

Everything is numpy/scipy: drum hits are one-shot samples convolved with an impulse train,
notes are rendered whole-array per note (with a cache for repeated notes), filters are SOS
biquads. A 30-s song takes well under a second on one CPU core.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
import soundfile as sf
from scipy import signal

STYLES: tuple[str, ...] = (
    "synth-techno",
    "synth-ambient",
    "synth-swing",
    "synth-rock",
    "synth-waltz",
    "synth-breakbeat",
)
STYLE_LABELS: dict[str, str] = {
    "synth-techno": "Synth Techno",
    "synth-ambient": "Synth Ambient",
    "synth-swing": "Synth Swing",
    "synth-rock": "Synth Rock",
    "synth-waltz": "Synth Waltz",
    "synth-breakbeat": "Synth Breakbeat",
}
STYLE_ARTISTS: dict[str, str] = {
    "synth-techno": "Timbre Machine Room",
    "synth-ambient": "Timbre Drift Ensemble",
    "synth-swing": "The Timbre Swing Trio",
    "synth-rock": "Timbre and the Oscillators",
    "synth-waltz": "Timbre Music Box Orchestra",
    "synth-breakbeat": "Timbre Break Unit",
}
PEAK_DBFS = -1.0
MIN_SAMPLE_RATE = 8000

_T = TypeVar("_T")
_FilterKind = Literal["lowpass", "highpass", "bandpass"]
_Stem = tuple[np.ndarray, float, float]  # (audio (n,), gain, reverb send)
_Chord = tuple[int, str]  # (semitones above the key's tonic, quality)

_QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "5": (0, 7, 12),
    "sus2": (0, 2, 7),
    "add9": (0, 4, 7, 14),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "dom7": (0, 4, 7, 10),
    "maj9": (0, 4, 7, 11, 14),
    "min9": (0, 3, 7, 10, 14),
}


# ---------------------------------------------------------------------------------------------
# Public API


def synthesize_song(
    *, style: str, seconds: float, sample_rate: int = 22050, seed: int
) -> np.ndarray:
    """Render `seconds` of one style as float32 mono, shape (round(seconds * sample_rate),).

    Peak-normalised to PEAK_DBFS (about 0.89). The same (style, seed, seconds, sample_rate)
    always gives the same samples; other seeds give other tempos, keys, patterns and mixes.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(STYLES)}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    if sample_rate < MIN_SAMPLE_RATE:
        raise ValueError(f"sample_rate must be at least {MIN_SAMPLE_RATE} Hz, got {sample_rate}")
    n = max(1, round(seconds * sample_rate))
    song = _Song(sr=sample_rate, n=n, rng=_rng(style, seed, "music"))
    stems = _COMPOSERS[style](song)
    return _master(song, stems, reverb_seconds=_REVERB_SECONDS[style])


def song_title(style: str, seed: int) -> str:
    """A deterministic, style-flavoured title, e.g. "Chrome Warehouse" for synth-techno."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(STYLES)}")
    first, second = _TITLE_WORDS[style]
    rng = _rng(style, seed, "title")
    title = f"{first[rng.integers(len(first))]} {second[rng.integers(len(second))]}"
    # A few numbered "takes" keep titles apart once a library holds more songs than word pairs.
    if rng.random() < 0.2:
        title += f" No. {int(rng.integers(2, 10))}"
    return title


def write_song(
    path: str | Path,
    *,
    style: str,
    seconds: float,
    seed: int,
    sample_rate: int = 22050,
    format: Literal["FLAC", "WAV"] = "FLAC",
) -> Path:
    """Synthesise a song and write it as 16-bit FLAC or WAV with title/artist/genre tags."""
    samples = synthesize_song(style=style, seconds=seconds, sample_rate=sample_rate, seed=seed)
    path = Path(path)
    with sf.SoundFile(
        path, mode="w", samplerate=sample_rate, channels=1, format=format, subtype="PCM_16"
    ) as out:
        out.title = song_title(style, seed)
        out.artist = STYLE_ARTISTS[style]
        out.genre = STYLE_LABELS[style]
        out.comment = f"Procedurally synthesised by Timbre ({style}, seed {seed})"
        out.write(samples)
    return path


# ---------------------------------------------------------------------------------------------
# Song context, randomness, timing


@dataclass(frozen=True)
class _Song:
    sr: int
    n: int  # samples in the finished song
    rng: np.random.Generator

    def bars(self, *, bpm: float, beats_per_bar: int) -> int:
        """Bars needed to cover the song (one extra so nothing stops short of the end)."""
        return math.ceil(self.n / self.sr / (beats_per_bar * 60.0 / bpm)) + 1


def _rng(style: str, seed: int, stream: str) -> np.random.Generator:
    # crc32 rather than hash(): str hashes are salted per process and would break determinism.
    entropy = [zlib.crc32(style.encode()), int(seed) % 2**64, zlib.crc32(stream.encode())]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def _loop(
    bar_patterns: Sequence[Sequence[tuple[float, float]]], *, beats_per_bar: int
) -> tuple[np.ndarray, np.ndarray]:
    """One (beat, velocity) pattern per bar -> absolute beat positions (k,) and velocities (k,)."""
    beats = [bar * beats_per_bar + b for bar, p in enumerate(bar_patterns) for b, _ in p]
    vels = [v for p in bar_patterns for _, v in p]
    return np.asarray(beats, dtype=np.float64), np.asarray(vels, dtype=np.float64)


def _chord_at(progression: Sequence[_Chord], bar: int, bars_per_chord: int) -> _Chord:
    return progression[(bar // bars_per_chord) % len(progression)]


def _voicing(root: int, quality: str, *, center: int, spread: bool = False) -> list[int]:
    """MIDI notes of a chord rooted on pitch class `root`, placed around MIDI note `center`."""
    base = center - 6 + (root - (center - 6)) % 12
    notes = [base + i for i in _QUALITIES[quality]]
    if spread:  # open voicing: every other tone up an octave, for pads
        notes = [note + 12 * (k % 2) for k, note in enumerate(notes)]
    return notes


def _note_near(pitch_class: int, center: int) -> int:
    return center - 6 + (pitch_class - (center - 6)) % 12


def _hz(midi: float | np.ndarray) -> float | np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


# ---------------------------------------------------------------------------------------------
# Filters, oscillators, envelopes


def _sos(kind: _FilterKind, cutoff: float | Sequence[float], sr: int) -> np.ndarray:
    # Clamp below Nyquist so low sample rates still work (hats simply get duller).
    nyq = sr / 2.0
    cut = np.clip(np.asarray(cutoff, dtype=np.float64), 20.0, 0.45 * sr) / nyq
    return signal.butter(2, cut.tolist(), btype=kind, output="sos")


def _filter(
    x: np.ndarray, kind: _FilterKind, cutoff: float | Sequence[float], sr: int
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


def _osc(wave: str, freq: float, length: int, sr: int, phase: float = 0.0) -> np.ndarray:
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


def _adsr(
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


def _pluck(
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


# ---------------------------------------------------------------------------------------------
# Drums: one-shot samples, placed by convolving with an impulse train


def _kick(sr: int, *, pitch: float, decay: float, click: float = 0.3) -> np.ndarray:
    t = np.arange(int(sr * decay * 4)) / sr
    freq = pitch + 3.0 * pitch * np.exp(-t / 0.03)  # fast downward sweep is the "thump"
    body = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / decay)
    return body + click * np.exp(-t / 0.002) * np.sin(2 * np.pi * 1500 * t)


def _snare(
    sr: int, rng: np.random.Generator, *, tone: float, decay: float, brightness: float
) -> np.ndarray:
    t = np.arange(int(sr * decay * 5)) / sr
    noise = _filter(rng.standard_normal(t.size), "bandpass", [1000.0, brightness], sr)
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.04)
    return 3.0 * noise * np.exp(-t / decay) + 0.6 * body


def _clap(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(sr * 0.3)) / sr
    noise = _filter(rng.standard_normal(t.size), "bandpass", [900.0, 3000.0], sr)
    # Three quick bursts then a tail: what makes a clap read as hands rather than a snare.
    bursts = sum(np.exp(-np.clip(t - d, 0, None) / 0.006) * (t >= d) for d in (0, 0.011, 0.022))
    return 3.0 * noise * (0.5 * bursts + np.exp(-np.clip(t - 0.022, 0, None) / 0.06))


def _hat(sr: int, rng: np.random.Generator, *, decay: float, cutoff: float = 7000.0) -> np.ndarray:
    t = np.arange(int(sr * decay * 5)) / sr
    return _filter(rng.standard_normal(t.size), "highpass", cutoff, sr) * np.exp(-t / decay)


def _ride(sr: int, rng: np.random.Generator, *, decay: float, pitch: float) -> np.ndarray:
    """Metallic ride: six detuned square waves (the classic drum-machine cymbal) plus a ping."""
    t = np.arange(int(sr * decay * 4))
    ratios = (1.0, 1.48, 1.8, 2.55, 2.63, 3.9)
    metal = sum(_osc("square", pitch * r, t.size, sr, phase=0.13 * k) for k, r in enumerate(ratios))
    metal = _filter(metal, "highpass", 3000.0, sr) / len(ratios)
    ping = np.sin(2 * np.pi * 5200.0 * t / sr) * np.exp(-t / sr / 0.25)
    wash = _filter(rng.standard_normal(t.size), "highpass", 6000.0, sr)
    return (metal + 0.15 * ping + 0.15 * wash) * np.exp(-t / sr / decay)


def _hits(song: _Song, sample: np.ndarray, times: np.ndarray, vels: np.ndarray) -> np.ndarray:
    """Place `sample` at `times` (seconds) with velocities `vels`; returns shape (song.n,)."""
    impulses = np.zeros(song.n)
    idx = np.round(np.asarray(times) * song.sr).astype(np.int64)
    keep = (idx >= 0) & (idx < song.n)
    np.add.at(impulses, idx[keep], np.asarray(vels, dtype=np.float64)[keep])
    return signal.oaconvolve(impulses, sample)[: song.n]


# ---------------------------------------------------------------------------------------------
# Notes


@dataclass(frozen=True)
class _Note:
    start: float  # seconds
    length: float  # seconds the key is held
    midi: float
    velocity: float


_Render = Callable[[float, int], np.ndarray]  # (frequency Hz, gate samples) -> waveform


def _notes(song: _Song, notes: Sequence[_Note], render: _Render) -> np.ndarray:
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
            cache[key] = render(float(_hz(note.midi)), gate)
        wave = cache[key]
        lo = max(start, 0)
        hi = min(start + wave.size, song.n)
        out[lo:hi] += note.velocity * wave[lo - start : hi - start]
    return out


def _synth_voice(
    *,
    sr: int,
    wave: str,
    envelope: tuple[float, float, float, float],
    detune_cents: Sequence[float] = (0.0,),
) -> _Render:
    """Subtractive-synth voice: detuned oscillators under an (attack, decay, sustain, release)
    envelope, times in seconds; the caller filters the summed track."""
    attack, decay, sustain, release = envelope

    def render(freq: float, gate: int) -> np.ndarray:
        length = gate + int(release * sr)
        tone = sum(
            _osc(wave, freq * 2 ** (c / 1200), length, sr, phase=0.29 * k)
            for k, c in enumerate(detune_cents)
        )
        env = _adsr(length, gate, sr, attack=attack, decay=decay, sustain=sustain, release=release)
        return tone / len(detune_cents) * env

    return render


def _pluck_voice(*, sr: int, decay: float, harmonics: int, damping: float) -> _Render:
    def render(freq: float, gate: int) -> np.ndarray:
        length = min(gate, int(decay * 5 * sr)) + int(0.2 * sr)
        return _pluck(freq, length, gate, sr, decay=decay, harmonics=harmonics, damping=damping)

    return render


def _fm_voice(
    *, sr: int, ratio: float, index: float, decay: float, tine: float = 0.0, attack: float = 0.003
) -> _Render:
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


# ---------------------------------------------------------------------------------------------
# Styles


def _techno(song: _Song) -> list[_Stem]:
    """Four-on-the-floor, off-beat open hats, square/saw bass riff, short minor stabs."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(124, 132)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = _pick(rng, _TECHNO_PROGRESSIONS)
    swing = rng.uniform(0.0, 0.06)  # in beats, on every other sixteenth

    sixteenths = [(i / 4 + swing * (i % 2), 0.5 if i % 4 == 2 else 0.25) for i in range(16)]
    kick_t, kick_v = _secs([[(b, 1.0) for b in range(4)]] * n_bars, beat)
    clap_t, clap_v = _secs([[(1, 0.9), (3, 0.9)]] * n_bars, beat)
    hat_t, hat_v = _secs([sixteenths] * n_bars, beat)
    open_t, open_v = _secs([[(b + 0.5, 0.6) for b in range(4)]] * n_bars, beat)

    riff = _pick(rng, _TECHNO_BASS_RIFFS)
    stab_rhythm = _pick(rng, _TECHNO_STAB_RHYTHMS)
    bass_notes, stab_notes = [], []
    for bar in range(n_bars):
        root, quality = _chord_at(progression, bar, 2)
        low = _note_near(key + root, 38)
        for pos, interval in riff:
            bass_notes.append(_Note((bar * 4 + pos) * beat, 0.2 * beat, low + interval, 1.0))
        chord = _voicing(key + root, quality, center=62)
        for pos in stab_rhythm:
            stab_notes += [_Note((bar * 4 + pos) * beat, 0.22 * beat, m, 0.7) for m in chord]

    bass_voice = _synth_voice(
        sr=sr,
        wave=_pick(rng, ("square", "saw")),
        envelope=(0.003, 0.12, 0.4, 0.03),
    )
    stab_voice = _synth_voice(
        sr=sr, wave="saw", envelope=(0.003, 0.15, 0.2, 0.08), detune_cents=(-9.0, 9.0)
    )
    kick = _hits(song, _kick(sr, pitch=rng.uniform(45, 56), decay=0.18), kick_t, kick_v)
    clap = _hits(song, _clap(sr, rng), clap_t, clap_v)
    hats = _hits(song, _hat(sr, rng, decay=0.02), hat_t, hat_v)
    open_hats = _hits(song, _hat(sr, rng, decay=0.12, cutoff=6000.0), open_t, open_v)
    bass = _filter(_notes(song, bass_notes, bass_voice), "lowpass", rng.uniform(350, 900), sr)
    stabs = _filter(_notes(song, stab_notes, stab_voice), "lowpass", rng.uniform(1200, 2600), sr)
    return [
        (kick, 1.0, 0.0),
        (clap, 0.35, 0.2),
        (hats, 0.3, 0.05),
        (open_hats, 0.3, 0.1),
        (bass, 0.6, 0.0),
        (stabs, 0.35, 0.35),
    ]


def _ambient(song: _Song) -> list[_Stem]:
    """No drums: slow-swelling detuned pads, a sine drone, sparse bells, wind, long reverb."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(60, 75)
    beat = 60.0 / bpm
    bars_per_chord = 2
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = _pick(rng, _AMBIENT_PROGRESSIONS)
    chord_s = 4 * bars_per_chord * beat

    pad_notes, drone_notes = [], []
    for bar in range(0, n_bars, bars_per_chord):
        root, quality = _chord_at(progression, bar, bars_per_chord)
        start = bar * 4 * beat
        voicing = _voicing(key + root, quality, center=58, spread=True)
        pad_notes += [_Note(start, chord_s, m, 1.0) for m in voicing]
        drone_notes.append(_Note(start, chord_s, _note_near(key + root, 40), 1.0))

    # Bells: a sparse random sprinkling from the major pentatonic, high up, left to ring.
    n_bells = rng.poisson(rng.uniform(0.2, 0.45) * song.n / sr)
    bell_times = np.sort(rng.uniform(0, song.n / sr, n_bells))
    bell_pitches = (
        72 + key + rng.choice([0, 2, 4, 7, 9], n_bells) + 12 * rng.integers(2, size=n_bells)
    )
    bell_notes = [
        _Note(float(t), 3.0, int(m), float(rng.uniform(0.3, 1.0)))
        for t, m in zip(bell_times, bell_pitches, strict=True)
    ]

    attack = rng.uniform(1.5, 3.0)
    pad_voice = _synth_voice(
        sr=sr,
        wave="saw",
        envelope=(attack, 1.0, 0.8, attack),
        detune_cents=(-rng.uniform(5, 12), rng.uniform(5, 12)),
    )
    drone_voice = _synth_voice(sr=sr, wave="sine", envelope=(attack, 1.0, 0.9, attack))
    bell_voice = _fm_voice(
        sr=sr, ratio=rng.uniform(1.4, 3.5), index=1.5, decay=rng.uniform(1.5, 3.0), attack=0.04
    )
    pads = _filter(_notes(song, pad_notes, pad_voice), "lowpass", rng.uniform(500, 1100), sr)
    t = np.arange(song.n) / sr
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(6, 12) + rng.uniform(0, 2 * np.pi))
    wind = _filter(rng.standard_normal(song.n), "bandpass", [300.0, 1500.0], sr) * swell
    return [
        (pads, 1.0, 0.6),
        (_notes(song, drone_notes, drone_voice), 0.45, 0.3),
        (_notes(song, bell_notes, bell_voice), 0.3, 0.8),
        (wind, rng.uniform(0.03, 0.08), 0.5),
    ]


def _swing(song: _Song) -> list[_Stem]:
    """Swung ride and hi-hat foot, walking bass in quarters, electric-piano seventh chords."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(110, 160)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = _pick(rng, _SWING_PROGRESSIONS)
    late = rng.uniform(0.62, 0.7)  # where the swung off-beat falls inside the beat
    jitter = 0.006  # seconds; a swing band is never quantised

    def human(times: np.ndarray) -> np.ndarray:
        # Clipped at zero so the downbeat that opens the song is never pushed off the front.
        return np.maximum(times + rng.normal(0, jitter, times.size), 0.0)

    ride_bar = [(0, 0.8), (1, 1.0), (1 + late, 0.55), (2, 0.8), (3, 1.0), (3 + late, 0.55)]
    ride_t, ride_v = _secs([ride_bar] * n_bars, beat)
    foot_t, foot_v = _secs([[(1, 0.6), (3, 0.6)]] * n_bars, beat)
    feather_t, feather_v = _secs([[(b, 0.25) for b in range(4)]] * n_bars, beat)
    ghost_bars = [
        [(b + late, float(rng.uniform(0.2, 0.45))) for b in range(4) if rng.random() < 0.2]
        for _ in range(n_bars)
    ]
    ghost_t, ghost_v = _secs(ghost_bars, beat)

    bass_notes, comp_notes = [], []
    for bar in range(n_bars):
        root, quality = _chord_at(progression, bar, 1)
        next_root, _ = _chord_at(progression, bar + 1, 1)
        tones = _QUALITIES[quality]
        low = _note_near(key + root, 40)
        target = _note_near(key + next_root, 40)
        # A walking line: root, chord tones, then a chromatic step into the next bar's root.
        line = [
            low,
            low + int(rng.choice(tones[1:3])),
            low + int(rng.choice([tones[2], 12, tones[-1]])),
            target + int(rng.choice([-1, 1])),
        ]
        for b, m in enumerate(line):
            start = (bar * 4 + b) * beat + rng.normal(0, jitter)
            bass_notes.append(_Note(start, 0.9 * beat, m, 1.0))
        # Rootless voicing (third, fifth, seventh) plus the ninth, as a pianist would comp.
        chord = [*_voicing(key + root, quality, center=62)[1:], _note_near(key + root + 2, 68)]
        for pos, length in _pick(rng, _SWING_COMPING):
            swung = math.floor(pos) + late if pos % 1 else pos
            comp_notes += [_Note((bar * 4 + swung) * beat, length * beat, m, 0.6) for m in chord]

    ride_sample = _ride(sr, rng, decay=rng.uniform(0.5, 0.9), pitch=rng.uniform(380, 460))
    brush = _filter(_snare(sr, rng, tone=200, decay=0.1, brightness=5000.0), "lowpass", 4000, sr)
    bass_voice = _pluck_voice(sr=sr, decay=rng.uniform(0.5, 0.9), harmonics=6, damping=8.0)
    piano = _fm_voice(sr=sr, ratio=1.0, index=rng.uniform(0.8, 1.6), decay=1.2, tine=0.25)
    ride = _hits(song, ride_sample, human(ride_t), ride_v)
    foot = _hits(song, _hat(sr, rng, decay=0.025, cutoff=4000.0), human(foot_t), foot_v)
    feather = _hits(song, _kick(sr, pitch=55, decay=0.12, click=0.0), human(feather_t), feather_v)
    ghosts = _hits(song, brush, human(ghost_t), ghost_v)
    bass = _filter(_notes(song, bass_notes, bass_voice), "lowpass", 1500.0, sr)
    return [
        (ride, 0.35, 0.25),
        (foot, 0.25, 0.1),
        (feather, rng.uniform(0.0, 0.5), 0.0),
        (ghosts, 0.3, 0.3),
        (bass, 0.9, 0.1),
        (_notes(song, comp_notes, piano), 0.45, 0.3),
    ]


def _rock(song: _Song) -> list[_Stem]:
    """Backbeat snare, straight eighth hats, distorted power chords, eighth-note bass."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(100, 140)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = _pick(rng, _ROCK_PROGRESSIONS)

    kick_bar = [(b, 1.0) for b in _pick(rng, _ROCK_KICKS)]
    fill = [(3.0, 0.6), (3.25, 0.7), (3.5, 0.85), (3.75, 1.0)]
    snare_bars = [[(1, 1.0), *(fill if bar % 4 == 3 else [(3, 1.0)])] for bar in range(n_bars)]
    kick_t, kick_v = _secs([kick_bar] * n_bars, beat)
    snare_t, snare_v = _secs(snare_bars, beat)
    hat_t, hat_v = _secs([[(i / 2, 0.7 - 0.25 * (i % 2)) for i in range(8)]] * n_bars, beat)
    crash_t, crash_v = _secs([[(0, 1.0)] if bar % 4 == 0 else [] for bar in range(n_bars)], beat)

    # Two guitar rhythms, swapped every four bars, like a verse and a chorus.
    rhythms = [_pick(rng, _ROCK_RHYTHMS), _pick(rng, _ROCK_RHYTHMS)]
    guitar_notes, bass_notes = [], []
    for bar in range(n_bars):
        root, _ = _chord_at(progression, bar, 1)
        low = _note_near(key + root, 46)
        for pos, length in rhythms[(bar // 4) % 2]:
            start = (bar * 4 + pos) * beat
            guitar_notes += [_Note(start, length * beat, m, 1.0) for m in (low, low + 7, low + 12)]
        bass_notes += [
            _Note((bar * 4 + i / 2) * beat, 0.45 * beat, low - 12, 1.0) for i in range(8)
        ]

    amp_voice = _synth_voice(
        sr=sr, wave="saw", envelope=(0.004, 0.3, 0.7, 0.06), detune_cents=(-7.0, 7.0)
    )
    bass_voice = _synth_voice(sr=sr, wave="saw", envelope=(0.005, 0.1, 0.6, 0.04))
    # Distortion on the summed chord, as an amp would: the intermodulation is the rock sound.
    clean = _filter(_notes(song, guitar_notes, amp_voice), "highpass", 90.0, sr)
    guitar = _filter(np.tanh(rng.uniform(4, 10) * clean), "lowpass", rng.uniform(2500, 4500), sr)
    snare_sample = _snare(
        sr, rng, tone=rng.uniform(170, 220), decay=0.12, brightness=rng.uniform(6000, 9000)
    )
    kick = _hits(song, _kick(sr, pitch=rng.uniform(50, 62), decay=0.12), kick_t, kick_v)
    snare = _hits(song, snare_sample, snare_t, snare_v)
    hats = _hits(song, _hat(sr, rng, decay=0.03), hat_t, hat_v)
    crash = _hits(song, _hat(sr, rng, decay=0.6, cutoff=4500.0), crash_t, crash_v)
    bass = _filter(_notes(song, bass_notes, bass_voice), "lowpass", 700.0, sr)
    return [
        (kick, 0.9, 0.05),
        (snare, 0.6, 0.3),
        (hats, 0.22, 0.1),
        (crash, 0.3, 0.2),
        (guitar, rng.uniform(0.45, 0.6), 0.15),
        (bass, 0.55, 0.0),
    ]


def _waltz(song: _Song) -> list[_Stem]:
    """3/4 oom-pah-pah: bass on one, plucked chords on two and three, music-box arpeggios."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(120, 168)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=3)
    key = int(rng.integers(12))
    progression = _pick(rng, _WALTZ_PROGRESSIONS)
    arp_order = _pick(rng, _WALTZ_ARPEGGIOS)

    bass_notes, chord_notes, arp_notes = [], [], []
    for bar in range(n_bars):
        root, quality = _chord_at(progression, bar, 1)
        fifth = 7 * (bar % 2)  # alternate root and fifth on the downbeat
        bass_notes.append(_Note(bar * 3 * beat, 2.5 * beat, _note_near(key + root + fifth, 43), 1))
        chord = _voicing(key + root, quality, center=60)[:3]
        for b in (1, 2):
            chord_notes += [_Note((bar * 3 + b) * beat, 0.6 * beat, m, 0.5) for m in chord]
        high = _voicing(key + root, quality, center=76)
        ladder = [*high, high[0] + 12]
        for i, step in enumerate(arp_order):
            start = (bar * 3 + i / 2) * beat
            arp_notes.append(_Note(start, 0.5 * beat, ladder[step % len(ladder)], 0.55))
    tick_beats, tick_v = _loop([[(1, 0.5), (2, 0.4)]] * n_bars, beats_per_bar=3)

    bass_voice = _pluck_voice(sr=sr, decay=1.0, harmonics=5, damping=6.0)
    chord_voice = _pluck_voice(sr=sr, decay=0.35, harmonics=6, damping=5.0)
    arp_voice = _pluck_voice(
        sr=sr, decay=rng.uniform(0.4, 0.9), harmonics=8, damping=rng.uniform(1.0, 4.0)
    )
    ticks = _hits(song, _hat(sr, rng, decay=0.015, cutoff=5000.0), tick_beats * beat, tick_v)
    return [
        (_notes(song, bass_notes, bass_voice), 0.9, 0.25),
        (_notes(song, chord_notes, chord_voice), 0.55, 0.35),
        (_notes(song, arp_notes, arp_voice), 0.5, 0.45),
        (ticks, rng.uniform(0.06, 0.12), 0.3),
    ]


def _breakbeat(song: _Song) -> list[_Stem]:
    """170-ish bpm chopped breaks with ghost snares, fast hats, sub bass, a dark low pad."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(165, 178)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = _pick(rng, _BREAK_PROGRESSIONS)
    breaks = [_pick(rng, _BREAKS), _pick(rng, _BREAKS)]  # alternated bar by bar

    kick_bars, snare_bars = [], []
    for bar in range(n_bars):
        kicks, snares = breaks[bar % 2]
        ghosts = [(i / 4, 0.3) for i in range(16) if rng.random() < 0.15 and i / 4 not in snares]
        kick_bars.append([(b, 1.0) for b in kicks])
        snare_bars.append([(b, 1.0) for b in snares] + ghosts)
    kick_t, kick_v = _secs(kick_bars, beat)
    snare_t, snare_v = _secs(snare_bars, beat)
    hat_t, hat_v = _secs([[(i / 4, 0.5 - 0.2 * (i % 2)) for i in range(16)]] * n_bars, beat)

    sub_notes, pad_notes = [], []
    for bar in range(0, n_bars, 2):
        root, quality = _chord_at(progression, bar, 2)
        start = bar * 4 * beat
        low = _note_near(key + root, 34)
        sub_notes += [
            _Note(start, 6 * beat, low, 1.0),
            _Note(start + 6.5 * beat, beat, low + 12, 0.8),
        ]
        pad_notes += [
            _Note(start, 8 * beat, m, 0.6) for m in _voicing(key + root, quality, center=55)
        ]

    sub_voice = _synth_voice(sr=sr, wave="sine", envelope=(0.01, 0.2, 0.9, 0.08))
    pad_voice = _synth_voice(
        sr=sr, wave="saw", envelope=(0.3, 0.5, 0.8, 0.4), detune_cents=(-15.0, 15.0)
    )
    snare_sample = _snare(sr, rng, tone=rng.uniform(200, 260), decay=0.09, brightness=9000.0)
    kick = _hits(song, _kick(sr, pitch=rng.uniform(50, 60), decay=0.1), kick_t, kick_v)
    snare = _hits(song, snare_sample, snare_t, snare_v)
    hats = _hits(song, _hat(sr, rng, decay=0.018, cutoff=8000.0), hat_t, hat_v)
    sub = np.tanh(
        1.5 * _notes(song, sub_notes, sub_voice)
    )  # a little grit so small speakers hear it
    pad = _filter(_notes(song, pad_notes, pad_voice), "lowpass", rng.uniform(500, 900), sr)
    return [
        (kick, 0.8, 0.0),
        (snare, 0.85, 0.2),
        (hats, 0.3, 0.1),
        (sub, 0.8, 0.0),
        (pad, 0.2, 0.5),
    ]


def _pick(rng: np.random.Generator, options: Sequence[_T]) -> _T:
    return options[int(rng.integers(len(options)))]


def _secs(
    bar_patterns: Sequence[Sequence[tuple[float, float]]], beat: float
) -> tuple[np.ndarray, np.ndarray]:
    """4/4 bar patterns -> hit times in seconds (k,) and velocities (k,)."""
    beats, vels = _loop(bar_patterns, beats_per_bar=4)
    return beats * beat, vels


_TECHNO_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((0, "min"), (0, "min"), (8, "maj"), (10, "maj")),
    ((0, "min7"), (5, "min7")),
    ((0, "min"), (3, "maj"), (8, "maj"), (7, "min")),
    ((0, "min7"),),
)
_TECHNO_BASS_RIFFS = (  # (beat position, interval above the root)
    tuple((b + 0.5, 0) for b in range(4)),
    tuple((b + s, iv) for b in range(4) for s, iv in ((0.25, 0), (0.5, 12), (0.75, 0))),
    tuple((b + s, 0) for b in range(4) for s in (0.5, 0.75)),
    ((0.5, 0), (1.5, 0), (1.75, 12), (2.5, 0), (3.25, 7), (3.5, 0)),
)
_TECHNO_STAB_RHYTHMS = ((0.75, 2.5), (1.5, 3.5), (0.5, 1.75, 3.0), (0.75, 1.5, 2.75))
_AMBIENT_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((0, "maj9"), (5, "maj9")),
    ((9, "min9"), (5, "maj9"), (0, "add9"), (7, "sus2")),
    ((0, "add9"), (4, "min7"), (5, "maj9"), (5, "min9")),
    ((2, "min9"), (0, "maj9")),
)
_SWING_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((2, "min7"), (7, "dom7"), (0, "maj7"), (9, "dom7")),
    ((0, "maj7"), (9, "min7"), (2, "min7"), (7, "dom7")),
    ((4, "min7"), (9, "dom7"), (2, "min7"), (7, "dom7")),
    ((0, "maj7"), (5, "dom7"), (4, "min7"), (9, "dom7")),
)
# Comping hits: (beat, beats held); a fractional beat means "that beat's swung off-beat".
_SWING_COMPING = (
    ((0, 0.6), (1.5, 0.5)),  # the Charleston
    ((1.5, 0.4), (3, 0.8)),
    ((0.5, 0.4), (2.5, 0.5)),
    ((0, 1.5), (3.5, 0.4)),
    ((2, 0.6),),
)
_ROCK_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((0, "5"), (7, "5"), (9, "5"), (5, "5")),
    ((0, "5"), (10, "5"), (5, "5"), (0, "5")),
    ((9, "5"), (5, "5"), (0, "5"), (7, "5")),
    ((0, "5"), (5, "5"), (8, "5"), (10, "5")),
)
_ROCK_KICKS = ((0, 2), (0, 2, 2.5), (0, 0.5, 2), (0, 1.5, 2, 2.5))
_ROCK_RHYTHMS = (  # (beat, beats held) for the power chords
    tuple((i / 2, 0.4) for i in range(8)),  # palm-muted eighths
    ((0, 1.9), (2, 1.9)),
    ((0, 1.4), (1.5, 1.0), (2.5, 1.4)),
    ((0, 0.4), (0.5, 0.4), (1, 0.9), (2, 0.4), (2.5, 0.4), (3, 0.9)),
)
_WALTZ_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((0, "maj"), (5, "maj"), (7, "dom7"), (0, "maj")),
    ((0, "maj"), (9, "min"), (2, "min"), (7, "dom7")),
    ((0, "maj"), (0, "maj"), (7, "dom7"), (7, "dom7")),
    ((0, "min"), (5, "min"), (7, "dom7"), (0, "min")),
)
_WALTZ_ARPEGGIOS = ((0, 1, 2, 3, 2, 1), (0, 2, 1, 3, 2, 1), (3, 2, 1, 0, 1, 2), (0, 1, 2, 1, 2, 3))
_BREAK_PROGRESSIONS: tuple[tuple[_Chord, ...], ...] = (
    ((0, "min7"), (8, "maj7"), (3, "maj"), (10, "maj")),
    ((0, "min9"), (5, "min7")),
    ((0, "min7"), (10, "maj"), (8, "maj7"), (7, "min7")),
)
_BREAKS = (  # (kick beats, snare beats) for one bar of 4/4
    ((0, 2.5), (1, 3)),
    ((0, 0.5, 2.5), (1, 1.75, 3, 3.75)),
    ((0, 2.25, 2.5), (1, 3, 3.5)),
    ((0, 1.5, 2.75), (1, 2.25, 3)),
)

_TITLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "synth-techno": (
        ("Chrome", "Neon", "Concrete", "Binary", "Midnight", "Static", "Voltage", "Strobe"),
        ("Warehouse", "Circuit", "Pulse", "Grid", "Loop", "Corridor", "Engine", "Signal"),
    ),
    "synth-ambient": (
        ("Slow", "Distant", "Pale", "Drifting", "Quiet", "Glacial", "Hollow", "Amber"),
        ("Horizon", "Tide", "Fog", "Lantern", "Meadow", "Orbit", "Harbour", "Snowfield"),
    ),
    "synth-swing": (
        ("Blue", "Late", "Smoky", "Velvet", "Uptown", "Sideways", "Brass", "Lazy"),
        ("Sine Shuffle", "Oscillator Blues", "Ride", "Walk", "Stroll", "Hour", "Step", "Lounge"),
    ),
    "synth-rock": (
        ("Loud", "Broken", "Electric", "Highway", "Rusty", "Burning", "Heavy", "Wild"),
        ("Amplifier", "Engine", "Riff", "Anthem", "Garage", "Thunder", "Fuse", "Voltage"),
    ),
    "synth-waltz": (
        ("Little", "Clockwork", "Porcelain", "Candlelit", "Spinning", "Silver", "Old", "Moonlit"),
        ("Waltz", "Music Box", "Carousel", "Ballroom", "Minuet", "Ribbon", "Dancer", "Garden"),
    ),
    "synth-breakbeat": (
        ("Rapid", "Sub", "Jungle", "Night", "Fractured", "Liquid", "Rolling", "Tunnel"),
        ("Break", "Pressure", "Sprint", "Chase", "Sequence", "Current", "Rush", "Circuit"),
    ),
}

_REVERB_SECONDS: dict[str, tuple[float, float]] = {  # (shortest, longest) tail per style
    "synth-techno": (0.8, 1.5),
    "synth-ambient": (3.0, 4.5),
    "synth-swing": (1.0, 1.8),
    "synth-rock": (0.8, 1.4),
    "synth-waltz": (1.5, 2.5),
    "synth-breakbeat": (0.8, 1.5),
}
_COMPOSERS: dict[str, Callable[[_Song], list[_Stem]]] = {
    "synth-techno": _techno,
    "synth-ambient": _ambient,
    "synth-swing": _swing,
    "synth-rock": _rock,
    "synth-waltz": _waltz,
    "synth-breakbeat": _breakbeat,
}


# ---------------------------------------------------------------------------------------------
# Mixing and mastering


def _reverb(x: np.ndarray, sr: int, rng: np.random.Generator, *, seconds: float) -> np.ndarray:
    """Convolution with decaying, darkening noise: cheap, dense and good enough for a demo."""
    t = np.arange(int(seconds * sr)) / sr
    ir = _filter(rng.standard_normal(t.size), "lowpass", 5000.0, sr) * np.exp(-6.9 * t / seconds)
    ir /= np.sqrt(np.sum(ir**2))
    return signal.oaconvolve(x, ir)[: x.size]


def _master(
    song: _Song, stems: Sequence[_Stem], *, reverb_seconds: tuple[float, float]
) -> np.ndarray:
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
