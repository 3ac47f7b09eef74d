"""synth-rock: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

import numpy as np

from demo.synth import drums
from demo.synth.dsp import butterworth
from demo.synth.harmony import Chord, chord_at, note_near
from demo.synth.instruments import Note, play, synth_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, pick, secs

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
    ((0, "5"), (7, "5"), (9, "5"), (5, "5")),
    ((0, "5"), (10, "5"), (5, "5"), (0, "5")),
    ((9, "5"), (5, "5"), (0, "5"), (7, "5")),
    ((0, "5"), (5, "5"), (8, "5"), (10, "5")),
)
_KICKS = ((0, 2), (0, 2, 2.5), (0, 0.5, 2), (0, 1.5, 2, 2.5))
_RHYTHMS = (  # (beat, beats held) for the power chords
    tuple((i / 2, 0.4) for i in range(8)),  # palm-muted eighths
    ((0, 1.9), (2, 1.9)),
    ((0, 1.4), (1.5, 1.0), (2.5, 1.4)),
    ((0, 0.4), (0.5, 0.4), (1, 0.9), (2, 0.4), (2.5, 0.4), (3, 0.9)),
)


def compose(song: Song) -> list[Stem]:
    """Backbeat snare, straight eighth hats, distorted power chords, eighth-note bass."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(100, 140)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)

    kick_bar = [(b, 1.0) for b in pick(rng, _KICKS)]
    fill = [(3.0, 0.6), (3.25, 0.7), (3.5, 0.85), (3.75, 1.0)]
    snare_bars = [[(1, 1.0), *(fill if bar % 4 == 3 else [(3, 1.0)])] for bar in range(n_bars)]
    kick_t, kick_v = secs([kick_bar] * n_bars, beat)
    snare_t, snare_v = secs(snare_bars, beat)
    hat_t, hat_v = secs([[(i / 2, 0.7 - 0.25 * (i % 2)) for i in range(8)]] * n_bars, beat)
    crash_t, crash_v = secs([[(0, 1.0)] if bar % 4 == 0 else [] for bar in range(n_bars)], beat)

    # Two guitar rhythms, swapped every four bars, like a verse and a chorus.
    rhythms = [pick(rng, _RHYTHMS), pick(rng, _RHYTHMS)]
    guitar_notes, bass_notes = [], []
    for bar in range(n_bars):
        root, _ = chord_at(progression, bar, 1)
        low = note_near(key + root, 46)
        for pos, length in rhythms[(bar // 4) % 2]:
            start = (bar * 4 + pos) * beat
            guitar_notes += [Note(start, length * beat, m, 1.0) for m in (low, low + 7, low + 12)]
        bass_notes += [Note((bar * 4 + i / 2) * beat, 0.45 * beat, low - 12, 1.0) for i in range(8)]

    amp_voice = synth_voice(
        sr=sr, wave="saw", envelope=(0.004, 0.3, 0.7, 0.06), detune_cents=(-7.0, 7.0)
    )
    bass_voice = synth_voice(sr=sr, wave="saw", envelope=(0.005, 0.1, 0.6, 0.04))
    # Distortion on the summed chord, as an amp would: the intermodulation is the rock sound.
    clean = butterworth(play(song, guitar_notes, amp_voice), "highpass", 90.0, sr)
    guitar = butterworth(
        np.tanh(rng.uniform(4, 10) * clean), "lowpass", rng.uniform(2500, 4500), sr
    )
    snare_sample = drums.snare(
        sr, rng, tone=rng.uniform(170, 220), decay=0.12, brightness=rng.uniform(6000, 9000)
    )
    kick = drums.hits(song, drums.kick(sr, pitch=rng.uniform(50, 62), decay=0.12), kick_t, kick_v)
    snare = drums.hits(song, snare_sample, snare_t, snare_v)
    hats = drums.hits(song, drums.hat(sr, rng, decay=0.03), hat_t, hat_v)
    crash = drums.hits(song, drums.hat(sr, rng, decay=0.6, cutoff=4500.0), crash_t, crash_v)
    bass = butterworth(play(song, bass_notes, bass_voice), "lowpass", 700.0, sr)
    return [
        (kick, 0.9, 0.05),
        (snare, 0.6, 0.3),
        (hats, 0.22, 0.1),
        (crash, 0.3, 0.2),
        (guitar, rng.uniform(0.45, 0.6), 0.15),
        (bass, 0.55, 0.0),
    ]
