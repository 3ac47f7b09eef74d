"""synth-waltz: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

from demo.synth import drums
from demo.synth.harmony import Chord, chord_at, chord_voicing, note_near
from demo.synth.instruments import Note, play, pluck_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, loop, pick

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
    ((0, "maj"), (5, "maj"), (7, "dom7"), (0, "maj")),
    ((0, "maj"), (9, "min"), (2, "min"), (7, "dom7")),
    ((0, "maj"), (0, "maj"), (7, "dom7"), (7, "dom7")),
    ((0, "min"), (5, "min"), (7, "dom7"), (0, "min")),
)
_ARPEGGIOS = ((0, 1, 2, 3, 2, 1), (0, 2, 1, 3, 2, 1), (3, 2, 1, 0, 1, 2), (0, 1, 2, 1, 2, 3))


def compose(song: Song) -> list[Stem]:
    """3/4 oom-pah-pah: bass on one, plucked chords on two and three, music-box arpeggios."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(120, 168)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=3)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)
    arp_order = pick(rng, _ARPEGGIOS)

    bass_notes, chord_notes, arp_notes = [], [], []
    for bar in range(n_bars):
        root, quality = chord_at(progression, bar, 1)
        fifth = 7 * (bar % 2)  # alternate root and fifth on the downbeat
        bass_notes.append(Note(bar * 3 * beat, 2.5 * beat, note_near(key + root + fifth, 43), 1))
        chord = chord_voicing(key + root, quality, center=60)[:3]
        for b in (1, 2):
            chord_notes += [Note((bar * 3 + b) * beat, 0.6 * beat, m, 0.5) for m in chord]
        high = chord_voicing(key + root, quality, center=76)
        ladder = [*high, high[0] + 12]
        for i, step in enumerate(arp_order):
            start = (bar * 3 + i / 2) * beat
            arp_notes.append(Note(start, 0.5 * beat, ladder[step % len(ladder)], 0.55))
    tick_beats, tick_v = loop([[(1, 0.5), (2, 0.4)]] * n_bars, beats_per_bar=3)

    bass_voice = pluck_voice(sr=sr, decay=1.0, harmonics=5, damping=6.0)
    chord_voice = pluck_voice(sr=sr, decay=0.35, harmonics=6, damping=5.0)
    arp_voice = pluck_voice(
        sr=sr, decay=rng.uniform(0.4, 0.9), harmonics=8, damping=rng.uniform(1.0, 4.0)
    )
    ticks = drums.hits(
        song, drums.hat(sr, rng, decay=0.015, cutoff=5000.0), tick_beats * beat, tick_v
    )
    return [
        (play(song, bass_notes, bass_voice), 0.9, 0.25),
        (play(song, chord_notes, chord_voice), 0.55, 0.35),
        (play(song, arp_notes, arp_voice), 0.5, 0.45),
        (ticks, rng.uniform(0.06, 0.12), 0.3),
    ]
