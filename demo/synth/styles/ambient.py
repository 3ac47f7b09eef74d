"""synth-ambient: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

import numpy as np

from demo.synth.dsp import butterworth
from demo.synth.harmony import Chord, chord_at, chord_voicing, note_near
from demo.synth.instruments import Note, fm_voice, play, synth_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, pick

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
    ((0, "maj9"), (5, "maj9")),
    ((9, "min9"), (5, "maj9"), (0, "add9"), (7, "sus2")),
    ((0, "add9"), (4, "min7"), (5, "maj9"), (5, "min9")),
    ((2, "min9"), (0, "maj9")),
)


def compose(song: Song) -> list[Stem]:
    """No drums: slow-swelling detuned pads, a sine drone, sparse bells, wind, long reverb."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(60, 75)
    beat = 60.0 / bpm
    bars_per_chord = 2
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)
    chord_s = 4 * bars_per_chord * beat

    pad_notes, drone_notes = [], []
    for bar in range(0, n_bars, bars_per_chord):
        root, quality = chord_at(progression, bar, bars_per_chord)
        start = bar * 4 * beat
        voicing = chord_voicing(key + root, quality, center=58, spread=True)
        pad_notes += [Note(start, chord_s, m, 1.0) for m in voicing]
        drone_notes.append(Note(start, chord_s, note_near(key + root, 40), 1.0))

    # Bells: a sparse random sprinkling from the major pentatonic, high up, left to ring.
    n_bells = rng.poisson(rng.uniform(0.2, 0.45) * song.n / sr)
    bell_times = np.sort(rng.uniform(0, song.n / sr, n_bells))
    bell_pitches = (
        72 + key + rng.choice([0, 2, 4, 7, 9], n_bells) + 12 * rng.integers(2, size=n_bells)
    )
    bell_notes = [
        Note(float(t), 3.0, int(m), float(rng.uniform(0.3, 1.0)))
        for t, m in zip(bell_times, bell_pitches, strict=True)
    ]

    attack = rng.uniform(1.5, 3.0)
    pad_voice = synth_voice(
        sr=sr,
        wave="saw",
        envelope=(attack, 1.0, 0.8, attack),
        detune_cents=(-rng.uniform(5, 12), rng.uniform(5, 12)),
    )
    drone_voice = synth_voice(sr=sr, wave="sine", envelope=(attack, 1.0, 0.9, attack))
    bell_voice = fm_voice(
        sr=sr, ratio=rng.uniform(1.4, 3.5), index=1.5, decay=rng.uniform(1.5, 3.0), attack=0.04
    )
    pads = butterworth(play(song, pad_notes, pad_voice), "lowpass", rng.uniform(500, 1100), sr)
    t = np.arange(song.n) / sr
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(6, 12) + rng.uniform(0, 2 * np.pi))
    wind = butterworth(rng.standard_normal(song.n), "bandpass", [300.0, 1500.0], sr) * swell
    return [
        (pads, 1.0, 0.6),
        (play(song, drone_notes, drone_voice), 0.45, 0.3),
        (play(song, bell_notes, bell_voice), 0.3, 0.8),
        (wind, rng.uniform(0.03, 0.08), 0.5),
    ]
