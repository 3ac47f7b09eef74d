"""Log-mel features: parity with librosa and the original musicnn input, segment shapes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import librosa
import numpy as np
import pytest

from classifier.audio import DecodedAudio, load_audio
from classifier.features import (
    MUSICNN,
    SEED,
    FeatureParams,
    audio_segments,
    log_mel_spectrogram,
    mel_power_spectrogram,
    segment_spectrogram,
)
from tests.classifier import audio_factory as af

MUSICNN_REFERENCE = Path("/work/shared/data/musicnn-reference/msd_musicnn_outputs.npz")


def _clip(params: FeatureParams, seconds: float = 30.0) -> DecodedAudio:
    samples = af.chord(seconds=seconds, sample_rate=params.sample_rate, seed=3)
    return DecodedAudio.from_samples(samples, sample_rate=params.sample_rate)


@pytest.mark.parametrize(
    ("params", "count", "shape"),
    [(SEED, 11, (256, 256, 1)), (MUSICNN, 10, (187, 96))],
    ids=["seed", "musicnn"],
)
def test_thirty_second_clip_gives_the_presets_segments(
    params: FeatureParams, count: int, shape: tuple[int, ...]
) -> None:
    audio = _clip(params)

    segments = audio_segments(audio, params=params)

    assert params.input_shape == shape
    assert segments.shape == (count, *shape)
    assert segments.dtype == np.float32
    assert params.segment_count(len(audio.windows[0])) == count


@pytest.mark.parametrize("params", [SEED, MUSICNN], ids=["seed", "musicnn"])
def test_mel_spectrogram_matches_librosa(params: FeatureParams) -> None:
    samples = af.chord(seconds=7.0, sample_rate=params.sample_rate, seed=4)
    reference = librosa.feature.melspectrogram(
        y=samples,
        sr=params.sample_rate,
        n_fft=params.n_fft,
        hop_length=params.hop_length,
        n_mels=params.n_mels,
    ).T

    ours = mel_power_spectrogram(samples, params=params)

    assert ours.shape == reference.shape
    # float32 FFTs differ from librosa's float64 ones by rounding only.
    np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-6 * reference.max())
    if params.log_scale == "db":
        expected = librosa.power_to_db(reference, ref=1.0, amin=1e-10, top_db=None)
    else:
        expected = np.log10(1 + 10000 * reference)
    np.testing.assert_allclose(log_mel_spectrogram(samples, params=params), expected, atol=1e-3)


@pytest.mark.skipif(not MUSICNN_REFERENCE.exists(), reason="musicnn reference outputs not here")
def test_musicnn_features_reproduce_the_original_network_input() -> None:
    reference = np.load(MUSICNN_REFERENCE)

    patches = segment_spectrogram(
        log_mel_spectrogram(reference["audio"], params=MUSICNN), params=MUSICNN
    )

    assert patches.shape == reference["input_patches"].shape == (4, 187, 96)
    np.testing.assert_allclose(patches, reference["input_patches"], atol=1e-4)


def test_decoded_file_gives_librosa_musicnn_input(tmp_path: Path) -> None:
    # The whole path a song takes (44.1 kHz stereo file -> features) against the musicnn recipe.
    stereo = np.stack([af.chord(seconds=9, sample_rate=44100, seed=s) for s in (5, 6)], axis=1)
    path = af.write_audio(tmp_path / "song.flac", stereo, 44100, subtype="PCM_24")

    ours = audio_segments(load_audio(path, sample_rate=16000), params=MUSICNN)

    samples, _ = librosa.load(path, sr=16000)
    mel = librosa.feature.melspectrogram(y=samples, sr=16000, n_fft=512, hop_length=256, n_mels=96)
    recipe = np.log10(1 + 10000 * mel.T).astype(np.float32)
    expected = np.stack([recipe[i * 187 : (i + 1) * 187] for i in range(len(recipe) // 187)])
    np.testing.assert_allclose(ours, expected, atol=1e-3)


@pytest.mark.parametrize("params", [SEED, MUSICNN], ids=["seed", "musicnn"])
def test_three_second_clip_fills_one_segment(params: FeatureParams) -> None:
    segments = audio_segments(_clip(params, seconds=3.0), params=params)

    assert segments.shape == (1, *params.input_shape)


def test_spectrogram_shorter_than_a_patch_is_repeated() -> None:
    mel = np.arange(100 * 96, dtype=np.float32).reshape(100, 96)

    (patch,) = segment_spectrogram(mel, params=MUSICNN)

    np.testing.assert_array_equal(patch[:100], mel)
    np.testing.assert_array_equal(patch[100:187], mel[:87])


def test_windows_are_segmented_independently() -> None:
    first, second = (_clip(SEED).windows[0], _clip(SEED).windows[0][::-1].copy())
    audio = DecodedAudio(
        windows=(first, second), sample_rate=SEED.sample_rate, duration=600.0,
        source_sample_rate=44100, channels=2, offsets=(0.0, 570.0),
    )  # fmt: skip

    segments = audio_segments(audio, params=SEED)
    alone = segment_spectrogram(log_mel_spectrogram(second, params=SEED), params=SEED)

    assert segments.shape[0] == 22
    np.testing.assert_array_equal(segments[11:], alone)


def test_seed_images_have_low_frequencies_in_the_first_rows() -> None:
    low = af.tone(seconds=3.0, sample_rate=SEED.sample_rate, frequency=150.0)[:, 0]
    high = af.tone(seconds=3.0, sample_rate=SEED.sample_rate, frequency=6000.0)[:, 0]

    (low_image,) = segment_spectrogram(log_mel_spectrogram(low, params=SEED), params=SEED)
    (high_image,) = segment_spectrogram(log_mel_spectrogram(high, params=SEED), params=SEED)

    # Rows are mel bands, columns are time: the brightest row follows the pitch.
    assert np.argmax(low_image[:, :, 0].mean(axis=1)) < 30
    assert np.argmax(high_image[:, :, 0].mean(axis=1)) > 200


def test_seed_db_scale_keeps_a_quiet_song_quiet() -> None:
    loud = af.chord(seconds=5.0, sample_rate=SEED.sample_rate)

    loud_db = log_mel_spectrogram(loud, params=SEED)
    quiet_db = log_mel_spectrogram(loud * np.float32(0.1), params=SEED)

    # A fixed reference: 20 dB quieter audio gives features 20 dB lower, not the same image.
    busy = loud_db > -60
    np.testing.assert_allclose((loud_db - quiet_db)[busy], 20.0, atol=0.01)
    silence_db = log_mel_spectrogram(np.zeros(22050, np.float32), params=SEED)
    assert silence_db.min() == pytest.approx(-100.0)  # the floor, 10 * log10(db_amin)


def test_feature_params_survive_a_json_round_trip() -> None:
    for params in (SEED, MUSICNN):
        assert FeatureParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params

    with pytest.raises(ValueError, match="unknown feature parameters"):
        FeatureParams.from_dict({**SEED.to_dict(), "n_chroma": 12})
    with pytest.raises(ValueError, match="log_scale"):
        replace(SEED, log_scale="ln")  # type: ignore[arg-type]


def test_audio_at_the_wrong_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="16000 Hz"):
        audio_segments(_clip(SEED, seconds=3.0), params=MUSICNN)
