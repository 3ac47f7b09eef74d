"""synth-techno: its patterns and progressions, and the composer that plays them."""

from __future__ import annotations

from demo.synth import drums
from demo.synth.dsp import butterworth
from demo.synth.harmony import Chord, chord_at, chord_voicing, note_near
from demo.synth.instruments import Note, play, synth_voice
from demo.synth.mix import Stem
from demo.synth.song import Song, pick, secs

_PROGRESSIONS: tuple[tuple[Chord, ...], ...] = (
    ((0, "min"), (0, "min"), (8, "maj"), (10, "maj")),
    ((0, "min7"), (5, "min7")),
    ((0, "min"), (3, "maj"), (8, "maj"), (7, "min")),
    ((0, "min7"),),
)
_BASS_RIFFS = (  # (beat position, interval above the root)
    tuple((b + 0.5, 0) for b in range(4)),
    tuple((b + s, iv) for b in range(4) for s, iv in ((0.25, 0), (0.5, 12), (0.75, 0))),
    tuple((b + s, 0) for b in range(4) for s in (0.5, 0.75)),
    ((0.5, 0), (1.5, 0), (1.75, 12), (2.5, 0), (3.25, 7), (3.5, 0)),
)
_STAB_RHYTHMS = ((0.75, 2.5), (1.5, 3.5), (0.5, 1.75, 3.0), (0.75, 1.5, 2.75))


def compose(song: Song) -> list[Stem]:
    """Four-on-the-floor, off-beat open hats, square/saw bass riff, short minor stabs."""
    rng, sr = song.rng, song.sr
    bpm = rng.uniform(124, 132)
    beat = 60.0 / bpm
    n_bars = song.bars(bpm=bpm, beats_per_bar=4)
    key = int(rng.integers(12))
    progression = pick(rng, _PROGRESSIONS)
    swing = rng.uniform(0.0, 0.06)  # in beats, on every other sixteenth

    sixteenths = [(i / 4 + swing * (i % 2), 0.5 if i % 4 == 2 else 0.25) for i in range(16)]
    kick_t, kick_v = secs([[(b, 1.0) for b in range(4)]] * n_bars, beat)
    clap_t, clap_v = secs([[(1, 0.9), (3, 0.9)]] * n_bars, beat)
    hat_t, hat_v = secs([sixteenths] * n_bars, beat)
    open_t, open_v = secs([[(b + 0.5, 0.6) for b in range(4)]] * n_bars, beat)

    riff = pick(rng, _BASS_RIFFS)
    stab_rhythm = pick(rng, _STAB_RHYTHMS)
    bass_notes, stab_notes = [], []
    for bar in range(n_bars):
        root, quality = chord_at(progression, bar, 2)
        low = note_near(key + root, 38)
        for pos, interval in riff:
            bass_notes.append(Note((bar * 4 + pos) * beat, 0.2 * beat, low + interval, 1.0))
        chord = chord_voicing(key + root, quality, center=62)
        for pos in stab_rhythm:
            stab_notes += [Note((bar * 4 + pos) * beat, 0.22 * beat, m, 0.7) for m in chord]

    bass_voice = synth_voice(
        sr=sr,
        wave=pick(rng, ("square", "saw")),
        envelope=(0.003, 0.12, 0.4, 0.03),
    )
    stab_voice = synth_voice(
        sr=sr, wave="saw", envelope=(0.003, 0.15, 0.2, 0.08), detune_cents=(-9.0, 9.0)
    )
    kick = drums.hits(song, drums.kick(sr, pitch=rng.uniform(45, 56), decay=0.18), kick_t, kick_v)
    clap = drums.hits(song, drums.clap(sr, rng), clap_t, clap_v)
    hats = drums.hits(song, drums.hat(sr, rng, decay=0.02), hat_t, hat_v)
    open_hats = drums.hits(song, drums.hat(sr, rng, decay=0.12, cutoff=6000.0), open_t, open_v)
    bass = butterworth(play(song, bass_notes, bass_voice), "lowpass", rng.uniform(350, 900), sr)
    stabs = butterworth(play(song, stab_notes, stab_voice), "lowpass", rng.uniform(1200, 2600), sr)
    return [
        (kick, 1.0, 0.0),
        (clap, 0.35, 0.2),
        (hats, 0.3, 0.05),
        (open_hats, 0.3, 0.1),
        (bass, 0.6, 0.0),
        (stabs, 0.35, 0.35),
    ]
