"""The procedural demo library: sound audio, reproducible songs, styles a model can tell apart."""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

from demo.synth import (
    PEAK_DBFS,
    STYLE_ARTISTS,
    STYLE_LABELS,
    STYLES,
    song_title,
    synthesize_song,
    write_song,
)

SR = 22050
PEAK = 10 ** (PEAK_DBFS / 20)


@pytest.mark.parametrize("style", STYLES)
def test_every_style_gives_finite_audio_of_the_requested_length_near_minus_one_dbfs(
    style: str,
) -> None:
    samples = synthesize_song(style=style, seconds=2.5, sample_rate=SR, seed=7)

    assert samples.shape == (round(2.5 * SR),)
    assert samples.dtype == np.float32
    assert np.isfinite(samples).all()
    assert np.max(np.abs(samples)) <= 1.0
    assert np.max(np.abs(samples)) == pytest.approx(PEAK, abs=1e-3)
    assert np.sqrt(np.mean(samples**2)) > 0.03  # audible, not a click and silence


@pytest.mark.parametrize("sample_rate", [8000, 16000, 44100])
def test_other_sample_rates_give_the_same_duration(sample_rate: int) -> None:
    samples = synthesize_song(style="synth-rock", seconds=1.5, sample_rate=sample_rate, seed=1)

    assert samples.shape == (round(1.5 * sample_rate),)
    assert np.isfinite(samples).all()


def test_same_style_and_seed_give_identical_audio_and_other_seeds_do_not() -> None:
    for style in STYLES:
        first = synthesize_song(style=style, seconds=3.0, seed=42)
        again = synthesize_song(style=style, seconds=3.0, seed=42)
        other = synthesize_song(style=style, seconds=3.0, seed=43)

        np.testing.assert_array_equal(first, again)
        # Another seed is another song (tempo, key, patterns), not the same one slightly changed.
        assert abs(np.corrcoef(first, other)[0, 1]) < 0.5, style


def test_bad_arguments_are_rejected_with_a_message_naming_what_is_expected() -> None:
    with pytest.raises(ValueError, match="synth-techno"):
        synthesize_song(style="polka", seconds=1.0, seed=0)
    with pytest.raises(ValueError, match="positive"):
        synthesize_song(style="synth-rock", seconds=0.0, seed=0)
    with pytest.raises(ValueError, match="positive"):
        synthesize_song(style="synth-rock", seconds=float("nan"), seed=0)
    with pytest.raises(ValueError, match="sample_rate"):
        synthesize_song(style="synth-rock", seconds=1.0, sample_rate=4000, seed=0)


# ---------------------------------------------------------------------------------------------
# Styles are different music, not different noise


SEEDS = range(6)


@pytest.fixture(scope="module")
def style_features() -> dict[str, np.ndarray]:
    """Per style, one row per seed: MFCC means and standard deviations (seeds, 40)."""
    features = {}
    for style in STYLES:
        rows = []
        for seed in SEEDS:
            samples = synthesize_song(style=style, seconds=5.0, seed=seed)
            mfcc = librosa.feature.mfcc(y=samples, sr=SR, n_mfcc=20)
            rows.append(np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]))
        features[style] = np.stack(rows)
    return features


def test_styles_are_told_apart_by_nearest_centroid_on_unseen_seeds(
    style_features: dict[str, np.ndarray],
) -> None:
    # Leave one seed out: the centroids never saw the song they classify.
    correct = 0
    total = 0
    for held_out in range(len(SEEDS)):
        train = {s: np.delete(x, held_out, axis=0) for s, x in style_features.items()}
        pooled = np.concatenate(list(train.values()))
        mean, std = pooled.mean(axis=0), pooled.std(axis=0) + 1e-9
        centroids = np.stack([((x - mean) / std).mean(axis=0) for x in train.values()])
        for label, x in enumerate(style_features.values()):
            z = (x[held_out] - mean) / std
            correct += int(np.argmin(np.sum((centroids - z) ** 2, axis=1)) == label)
            total += 1

    assert correct / total >= 0.9


def test_ambient_has_no_drums_and_the_drum_styles_do() -> None:
    # Share of spectral energy in the percussive part of a harmonic/percussive split.
    def percussive_share(style: str) -> float:
        spectrum = np.abs(librosa.stft(synthesize_song(style=style, seconds=5.0, seed=5)))
        harmonic, percussive = librosa.decompose.hpss(spectrum)
        return float(np.sum(percussive**2) / (np.sum(harmonic**2) + np.sum(percussive**2)))

    ambient = percussive_share("synth-ambient")
    assert ambient < 0.01
    for style in ("synth-techno", "synth-swing", "synth-rock", "synth-breakbeat"):
        assert percussive_share(style) > 5 * ambient, style


# ---------------------------------------------------------------------------------------------
# Titles, artists and files


def test_titles_are_deterministic_varied_and_every_style_has_an_artist_and_label() -> None:
    for style in STYLES:
        titles = [song_title(style, seed) for seed in range(20)]
        assert titles == [song_title(style, seed) for seed in range(20)]
        assert len(set(titles)) >= 10, style
        assert STYLE_ARTISTS[style]
        assert STYLE_LABELS[style]


@pytest.mark.parametrize("fmt", ["FLAC", "WAV"])
def test_write_song_round_trips_samples_and_tags(tmp_path: Path, fmt: str) -> None:
    path = write_song(
        tmp_path / f"song.{fmt.lower()}", style="synth-waltz", seconds=2.0, seed=9, format=fmt
    )

    samples, sample_rate = sf.read(path, dtype="float32")
    expected = synthesize_song(style="synth-waltz", seconds=2.0, seed=9)
    assert sample_rate == SR
    assert samples.shape == expected.shape
    np.testing.assert_allclose(samples, expected, atol=2 / 32768)  # 16-bit quantisation
    with sf.SoundFile(path) as tagged:
        assert tagged.format == fmt
        assert tagged.title == song_title("synth-waltz", 9)
        assert tagged.artist == STYLE_ARTISTS["synth-waltz"]
        assert tagged.genre == STYLE_LABELS["synth-waltz"]


def test_writing_the_same_song_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    # The demo library relies on this to recognise songs it already imported.
    first = write_song(tmp_path / "a.flac", style="synth-techno", seconds=2.0, seed=4)
    second = write_song(tmp_path / "b.flac", style="synth-techno", seconds=2.0, seed=4)

    assert first.read_bytes() == second.read_bytes()
