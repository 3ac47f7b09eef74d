"""Chords and pitch: chord qualities, voicings, MIDI note numbers to Hz."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Chord = tuple[int, str]  # (semitones above the key's tonic, quality)

QUALITIES: dict[str, tuple[int, ...]] = {
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


def chord_at(progression: Sequence[Chord], bar: int, bars_per_chord: int) -> Chord:
    return progression[(bar // bars_per_chord) % len(progression)]


def chord_voicing(root: int, quality: str, *, center: int, spread: bool = False) -> list[int]:
    """MIDI notes of a chord rooted on pitch class `root`, placed around MIDI note `center`."""
    base = center - 6 + (root - (center - 6)) % 12
    notes = [base + i for i in QUALITIES[quality]]
    if spread:  # open voicing: every other tone up an octave, for pads
        notes = [note + 12 * (k % 2) for k, note in enumerate(notes)]
    return notes


def note_near(pitch_class: int, center: int) -> int:
    return center - 6 + (pitch_class - (center - 6)) % 12


def hz(midi: float | np.ndarray) -> float | np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)
