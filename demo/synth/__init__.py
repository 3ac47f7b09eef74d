"""Procedural demo music: a few plainly synthetic styles to listen to and to train a first model on.

A fresh install has no music, so `synthesize_song` makes some. Each style differs in everything a
genre classifier could listen for: drum pattern and swing, tempo range, metre, bass line, chord
progression and voicing, and timbre (waveforms, envelopes, filter brightness, reverb). Within a
style every seed draws its own tempo, key, progression, patterns, sounds and mix levels, so a
model has to learn the style rather than one recording.

Everything is numpy/scipy: drum hits are one-shot samples convolved with an impulse train,
notes are rendered whole-array per note (with a cache for repeated notes), filters are SOS
biquads. A 30-s song takes well under a second on one CPU core.

This module is the public API. Behind it: `song` (the render context, seeded randomness, beat
timing), `harmony` (chords and pitch), `dsp` (filters, oscillators, envelopes), `drums`,
`instruments` (notes and voices), `mix` (mixing and mastering), and `styles/` (one composer per
style, plus the per-style tables).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf

from demo.synth.mix import PEAK_DBFS, master
from demo.synth.song import Song, seeded_rng
from demo.synth.styles import COMPOSERS, REVERB_SECONDS, TITLE_WORDS

__all__ = [
    "MIN_SAMPLE_RATE",
    "PEAK_DBFS",
    "STYLES",
    "STYLE_ARTISTS",
    "STYLE_LABELS",
    "song_title",
    "synthesize_song",
    "write_song",
]

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
MIN_SAMPLE_RATE = 8000


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
    song = Song(sr=sample_rate, n=n, rng=seeded_rng(style, seed, "music"))
    stems = COMPOSERS[style](song)
    return master(song, stems, reverb_seconds=REVERB_SECONDS[style])


def song_title(style: str, seed: int) -> str:
    """A deterministic, style-flavoured title, e.g. "Chrome Warehouse" for synth-techno."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {', '.join(STYLES)}")
    first, second = TITLE_WORDS[style]
    rng = seeded_rng(style, seed, "title")
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
