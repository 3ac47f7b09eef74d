"""synth-breakbeat: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

import numpy as np

from demo.synth import drums
from demo.synth.dsp import butterworth
from demo.synth.harmony import Chord, chord_at, chord_voicing, note_near
from demo.synth.instruments import Note, play, synth_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, pick, secs

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
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


def compose(song: Song) -> list[Stem]:
    """170-ish bpm chopped breaks with ghost snares, fast hats, sub bass, a dark low pad."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(165, 178)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)
    breaks = [pick(rng, _BREAKS), pick(rng, _BREAKS)]  # alternated bar by bar

    kick_bars, snare_bars = [], []
    for bar in range(n_bars):
        kicks, snares = breaks[bar % 2]
        ghosts = [(i / 4, 0.3) for i in range(16) if rng.random() < 0.15 and i / 4 not in snares]
        kick_bars.append([(b, 1.0) for b in kicks])
        snare_bars.append([(b, 1.0) for b in snares] + ghosts)
    kick_t, kick_v = secs(kick_bars, beat)
    snare_t, snare_v = secs(snare_bars, beat)
    hat_t, hat_v = secs([[(i / 4, 0.5 - 0.2 * (i % 2)) for i in range(16)]] * n_bars, beat)

    sub_notes, pad_notes = [], []
    for bar in range(0, n_bars, 2):
        root, quality = chord_at(progression, bar, 2)
        start = bar * 4 * beat
        low = note_near(key + root, 34)
        sub_notes += [
            Note(start, 6 * beat, low, 1.0),
            Note(start + 6.5 * beat, beat, low + 12, 0.8),
        ]
        pad_notes += [
            Note(start, 8 * beat, m, 0.6) for m in chord_voicing(key + root, quality, center=55)
        ]

    sub_voice = synth_voice(sr=sr, wave="sine", envelope=(0.01, 0.2, 0.9, 0.08))
    pad_voice = synth_voice(
        sr=sr, wave="saw", envelope=(0.3, 0.5, 0.8, 0.4), detune_cents=(-15.0, 15.0)
    )
    snare_sample = drums.snare(sr, rng, tone=rng.uniform(200, 260), decay=0.09, brightness=9000.0)
    kick = drums.hits(song, drums.kick(sr, pitch=rng.uniform(50, 60), decay=0.1), kick_t, kick_v)
    snare = drums.hits(song, snare_sample, snare_t, snare_v)
    hats = drums.hits(song, drums.hat(sr, rng, decay=0.018, cutoff=8000.0), hat_t, hat_v)
    sub = np.tanh(1.5 * play(song, sub_notes, sub_voice))  # a little grit so small speakers hear it
    pad = butterworth(play(song, pad_notes, pad_voice), "lowpass", rng.uniform(500, 900), sr)
    return [
        (kick, 0.8, 0.0),
        (snare, 0.85, 0.2),
        (hats, 0.3, 0.1),
        (sub, 0.8, 0.0),
        (pad, 0.2, 0.5),
    ]
