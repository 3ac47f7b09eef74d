"""synth-swing: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

import math

import numpy as np

from demo.synth import drums
from demo.synth.dsp import butterworth
from demo.synth.harmony import QUALITIES, Chord, chord_at, chord_voicing, note_near
from demo.synth.instruments import Note, fm_voice, play, pluck_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, pick, secs

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
    ((2, "min7"), (7, "dom7"), (0, "maj7"), (9, "dom7")),
    ((0, "maj7"), (9, "min7"), (2, "min7"), (7, "dom7")),
    ((4, "min7"), (9, "dom7"), (2, "min7"), (7, "dom7")),
    ((0, "maj7"), (5, "dom7"), (4, "min7"), (9, "dom7")),
)
# Comping hits: (beat, beats held); a fractional beat means "that beat's swung off-beat".
_COMPING = (
    ((0, 0.6), (1.5, 0.5)),  # the Charleston
    ((1.5, 0.4), (3, 0.8)),
    ((0.5, 0.4), (2.5, 0.5)),
    ((0, 1.5), (3.5, 0.4)),
    ((2, 0.6),),
)


def compose(song: Song) -> list[Stem]:
    """Swung ride and hi-hat foot, walking bass in quarters, electric-piano seventh chords."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(110, 160)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)
    late = rng.uniform(0.62, 0.7)  # where the swung off-beat falls inside the beat
    jitter = 0.006  # seconds; a swing band is never quantised

    def human(times: np.ndarray) -> np.ndarray:
        # Clipped at zero so the downbeat that opens the song is never pushed off the front.
        return np.maximum(times + rng.normal(0, jitter, times.size), 0.0)

    ride_bar = [(0, 0.8), (1, 1.0), (1 + late, 0.55), (2, 0.8), (3, 1.0), (3 + late, 0.55)]
    ride_t, ride_v = secs([ride_bar] * n_bars, beat)
    foot_t, foot_v = secs([[(1, 0.6), (3, 0.6)]] * n_bars, beat)
    feather_t, feather_v = secs([[(b, 0.25) for b in range(4)]] * n_bars, beat)
    ghost_bars = [
        [(b + late, float(rng.uniform(0.2, 0.45))) for b in range(4) if rng.random() < 0.2]
        for _ in range(n_bars)
    ]
    ghost_t, ghost_v = secs(ghost_bars, beat)

    bass_notes, comp_notes = [], []
    for bar in range(n_bars):
        root, quality = chord_at(progression, bar, 1)
        next_root, _ = chord_at(progression, bar + 1, 1)
        tones = QUALITIES[quality]
        low = note_near(key + root, 40)
        target = note_near(key + next_root, 40)
        # A walking line: root, chord tones, then a chromatic step into the next bar's root.
        line = [
            low,
            low + int(rng.choice(tones[1:3])),
            low + int(rng.choice([tones[2], 12, tones[-1]])),
            target + int(rng.choice([-1, 1])),
        ]
        for b, m in enumerate(line):
            start = (bar * 4 + b) * beat + rng.normal(0, jitter)
            bass_notes.append(Note(start, 0.9 * beat, m, 1.0))
        # Rootless voicing (third, fifth, seventh) plus the ninth, as a pianist would comp.
        chord = [*chord_voicing(key + root, quality, center=62)[1:], note_near(key + root + 2, 68)]
        for pos, length in pick(rng, _COMPING):
            swung = math.floor(pos) + late if pos % 1 else pos
            comp_notes += [Note((bar * 4 + swung) * beat, length * beat, m, 0.6) for m in chord]

    ride_sample = drums.ride(sr, rng, decay=rng.uniform(0.5, 0.9), pitch=rng.uniform(380, 460))
    brush = butterworth(
        drums.snare(sr, rng, tone=200, decay=0.1, brightness=5000.0), "lowpass", 4000, sr
    )
    bass_voice = pluck_voice(sr=sr, decay=rng.uniform(0.5, 0.9), harmonics=6, damping=8.0)
    piano = fm_voice(sr=sr, ratio=1.0, index=rng.uniform(0.8, 1.6), decay=1.2, tine=0.25)
    ride = drums.hits(song, ride_sample, human(ride_t), ride_v)
    foot = drums.hits(song, drums.hat(sr, rng, decay=0.025, cutoff=4000.0), human(foot_t), foot_v)
    feather = drums.hits(
        song, drums.kick(sr, pitch=55, decay=0.12, click=0.0), human(feather_t), feather_v
    )
    ghosts = drums.hits(song, brush, human(ghost_t), ghost_v)
    bass = butterworth(play(song, bass_notes, bass_voice), "lowpass", 1500.0, sr)
    return [
        (ride, 0.35, 0.25),
        (foot, 0.25, 0.1),
        (feather, rng.uniform(0.0, 0.5), 0.0),
        (ghosts, 0.3, 0.3),
        (bass, 0.9, 0.1),
        (play(song, comp_notes, piano), 0.45, 0.3),
    ]
