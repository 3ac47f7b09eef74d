"""Decoding uploads: formats, downmix and resampling, rejections, bounded cost for long files."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import librosa
import numpy as np
import pytest

from audio.decode import (
    MAX_WINDOWS,
    MIN_SECONDS,
    WINDOW_SECONDS,
    AudioInfo,
    DecodedAudio,
    load_audio,
    probe_audio,
)
from audio.errors import ErrorCode, InvalidAudioError
from tests import audio_factory as af

TARGET_RATE = 22050


@pytest.fixture(scope="module")
def two_hour_flac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-hour 8 kHz chirp (about 37 MB as FLAC; 230 MB once decoded to float32)."""
    path = tmp_path_factory.mktemp("long") / "two_hours.flac"
    return af.write_chirp(path, seconds=7200, sample_rate=8000, f0=200, f1=3200)


@pytest.mark.parametrize(
    ("suffix", "format_name"),
    [
        (".wav", "wav"),
        (".flac", "flac"),
        (".ogg", "ogg"),
        (".mp3", "mp3"),
        (".m4a", "mp4"),
        (".au", "au"),
    ],
)
def test_stereo_file_decodes_to_mono_at_target_rate(
    tmp_path: Path, suffix: str, format_name: str
) -> None:
    # Left and right carry the same 440 Hz tone at different levels: the mono mix must be their
    # mean (RMS 0.3 / sqrt 2), not a sum or one channel.
    stereo = af.tone(seconds=8.0, sample_rate=44100, amplitudes=(0.4, 0.2))
    path = af.write_audio(tmp_path / f"song{suffix}", stereo, 44100)

    info = probe_audio(path)
    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert (info.format, info.sample_rate, info.channels) == (format_name, 44100, 2)
    assert info.duration == pytest.approx(8.0, abs=0.06)
    assert (audio.sample_rate, audio.source_sample_rate, audio.channels) == (TARGET_RATE, 44100, 2)
    assert audio.duration == pytest.approx(8.0, abs=0.06)
    (window,) = audio.windows
    assert window.dtype == np.float32
    assert len(window) / TARGET_RATE == pytest.approx(8.0, abs=0.06)
    assert af.dominant_frequency(window, TARGET_RATE) == pytest.approx(440, abs=2)
    assert af.rms(window[TARGET_RATE:-TARGET_RATE]) == pytest.approx(0.3 / np.sqrt(2), rel=0.03)


def test_decoding_matches_librosa_load(tmp_path: Path) -> None:
    # musicnn was trained on librosa.load's output (mean downmix, soxr_hq resampling): ours must
    # be the same signal, including across our 10-s streaming blocks.
    left = af.chord(seconds=25.0, sample_rate=44100, seed=1)
    right = af.chord(seconds=25.0, sample_rate=44100, frequencies=(196.0, 246.9), seed=2)
    path = af.write_audio(tmp_path / "chord.wav", np.stack([left, right], axis=1), 44100)

    (ours,) = load_audio(path, sample_rate=16000).windows
    theirs, _ = librosa.load(path, sr=16000)

    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def _truncated_wav_1s(path: Path) -> Path:
    # The header promises 10 s; the data stops after 1 s.
    return af.truncated_wav(path, declared_seconds=10.0, kept_bytes=44 + 2 * 22050)


def _truncated_mp3(path: Path) -> Path:
    # The MP3 header declares 60 s; 16 kB (under a second) survive.
    af.write_audio(path, af.tone(seconds=60.0, sample_rate=44100), 44100)
    path.write_bytes(path.read_bytes()[:16_000])
    return path


BAD_FILES: list[tuple[str, Callable[[Path], Path], ErrorCode]] = [
    ("empty.mp3", af.empty_file, ErrorCode.EMPTY),
    ("lyrics.mp3", af.text_file, ErrorCode.UNDECODABLE),
    ("noise.flac", af.random_bytes, ErrorCode.UNDECODABLE),
    ("noise.mp3", af.random_bytes, ErrorCode.UNDECODABLE),
    ("playlist.m4a", af.playlist, ErrorCode.UNDECODABLE),
    ("header.wav", lambda p: af.truncated_wav(p, declared_seconds=10, kept_bytes=30),
     ErrorCode.UNDECODABLE),
    ("no-data.wav", lambda p: af.truncated_wav(p, declared_seconds=10, kept_bytes=44),
     ErrorCode.UNDECODABLE),
    ("cut.mp3", _truncated_mp3, ErrorCode.UNDECODABLE),
    ("cut.wav", _truncated_wav_1s, ErrorCode.TOO_SHORT),
    ("blip.wav", lambda p: af.write_audio(p, af.tone(seconds=0.5, sample_rate=22050), 22050),
     ErrorCode.TOO_SHORT),
    ("silence.flac", lambda p: af.write_audio(p, np.zeros(22050 * 10, np.float32), 22050),
     ErrorCode.SILENT),
    # 16-bit dither on an otherwise silent track, about -90 dBFS.
    ("hiss.wav", lambda p: af.write_audio(p, af.noise(seconds=10, sample_rate=22050,
     amplitude=3e-5), 22050), ErrorCode.SILENT),
    ("nan.wav", lambda p: af.wav_with_value(p, np.nan), ErrorCode.NON_FINITE),
    ("inf.wav", lambda p: af.wav_with_value(p, np.inf), ErrorCode.NON_FINITE),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "code"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unusable_file_is_rejected_with_a_readable_reason(
    tmp_path: Path, name: str, make: Callable[[Path], Path], code: ErrorCode
) -> None:
    path = make(tmp_path / name)

    with pytest.raises(InvalidAudioError) as caught:
        load_audio(path, sample_rate=TARGET_RATE)

    error = caught.value
    assert error.code == code
    assert str(error) == error.message
    assert error.to_dict() == {"code": code.value, "message": error.message}
    for leak in (str(tmp_path), name, "Traceback", "Error opening"):
        assert leak not in error.message
    assert error.message[0].isupper() and error.message.endswith(".")


# What the header alone gives away: probe_audio catches these at upload time.
HEADER_FAULTS = [b for b in BAD_FILES if b[0] not in ("cut.mp3", "cut.wav", "silence.flac",
                 "hiss.wav", "nan.wav", "inf.wav")]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "code"), HEADER_FAULTS, ids=[b[0] for b in HEADER_FAULTS])
def test_upload_probe_rejects_what_the_header_shows(
    tmp_path: Path, name: str, make: Callable[[Path], Path], code: ErrorCode
) -> None:
    path = make(tmp_path / name)

    with pytest.raises(InvalidAudioError) as caught:
        probe_audio(path)

    assert caught.value.code == code


def test_truncated_wav_decodes_the_audio_that_is_there(tmp_path: Path) -> None:
    path = af.truncated_wav(tmp_path / "cut.wav", declared_seconds=10.0)  # half the data kept

    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert audio.analysed_seconds == pytest.approx(5.0, abs=0.01)


def test_quiet_music_and_exactly_three_seconds_are_accepted(tmp_path: Path) -> None:
    # -50 dBFS: a very quiet recording, still well above the silence threshold.
    quiet = af.tone(seconds=MIN_SECONDS, sample_rate=44100, amplitudes=(10 ** (-50 / 20),))
    path = af.write_audio(tmp_path / "quiet.flac", quiet, 44100, subtype="PCM_24")

    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert audio.analysed_seconds == pytest.approx(MIN_SECONDS, abs=1e-3)


def test_missing_file_is_not_blamed_on_the_upload(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_audio(tmp_path / "gone.mp3", sample_rate=TARGET_RATE)


def test_two_hour_file_reads_ten_spread_windows_in_bounded_memory(two_hour_flac: Path) -> None:
    tracemalloc.start()
    try:
        audio = load_audio(two_hour_flac, sample_rate=TARGET_RATE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert audio.duration == pytest.approx(7200.0)
    assert len(audio.windows) == MAX_WINDOWS
    assert all(len(w) == WINDOW_SECONDS * TARGET_RATE for w in audio.windows)
    # Decoding the whole file would need 635 MB at 22,050 Hz; the ten windows need 26 MB.
    assert peak < 100 * 2**20
    # Each window holds the part of the chirp its offset names: the seeks landed where intended.
    assert audio.offsets[0] == 0.0
    assert audio.offsets[-1] + WINDOW_SECONDS == pytest.approx(7200.0, abs=1.5)
    for offset, window in zip(audio.offsets, audio.windows, strict=True):
        expected = af.chirp_frequency(offset + WINDOW_SECONDS / 2, seconds=7200, f0=200, f1=3200)
        assert af.spectral_centroid(window, TARGET_RATE) == pytest.approx(expected, abs=10)


def test_probe_reads_only_the_header(two_hour_flac: Path) -> None:
    tracemalloc.start()
    try:
        info = probe_audio(two_hour_flac)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert info == AudioInfo(format="flac", duration=7200.0, sample_rate=8000, channels=1)
    assert peak < 2**20


def test_long_m4a_is_read_as_windows_through_ffmpeg(tmp_path: Path) -> None:
    path = af.write_chirp(tmp_path / "long.m4a", seconds=400, sample_rate=8000, f0=300, f1=1300)

    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert len(audio.windows) == MAX_WINDOWS
    assert all(len(w) == WINDOW_SECONDS * TARGET_RATE for w in audio.windows)
    for offset, window in zip(audio.offsets, audio.windows, strict=True):
        expected = af.chirp_frequency(offset + WINDOW_SECONDS / 2, seconds=400, f0=300, f1=1300)
        assert af.spectral_centroid(window, TARGET_RATE) == pytest.approx(expected, abs=15)


def test_cut_off_long_upload_keeps_the_windows_that_exist(tmp_path: Path) -> None:
    # An interrupted upload: the MP3 header still declares 400 s, only the first 60% arrived.
    path = af.write_chirp(tmp_path / "long.mp3", seconds=400, sample_rate=8000, f0=300, f1=1300)
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * 0.6)])

    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert audio.duration == pytest.approx(400.0, abs=0.1)  # what the header says
    assert 4 <= len(audio.windows) < MAX_WINDOWS
    assert all(len(w) == WINDOW_SECONDS * TARGET_RATE for w in audio.windows)
    assert audio.offsets[-1] + WINDOW_SECONDS <= 0.6 * 400


def test_five_minute_file_is_analysed_whole(tmp_path: Path) -> None:
    path = af.write_audio(tmp_path / "five.flac", af.tone(seconds=300, sample_rate=8000), 8000)

    audio = load_audio(path, sample_rate=TARGET_RATE)

    assert len(audio.windows) == 1
    assert audio.analysed_seconds == pytest.approx(300.0)


def test_in_memory_samples_get_the_same_checks() -> None:
    ok = DecodedAudio.from_samples(af.chord(seconds=4.0, sample_rate=16000), sample_rate=16000)
    assert ok.analysed_seconds == pytest.approx(4.0)

    with pytest.raises(InvalidAudioError) as caught:
        DecodedAudio.from_samples(np.full(16000 * 4, np.nan, np.float32), sample_rate=16000)
    assert caught.value.code == ErrorCode.NON_FINITE
    with pytest.raises(InvalidAudioError) as caught:
        DecodedAudio.from_samples(np.zeros(16000 * 4, np.float32), sample_rate=16000)
    assert caught.value.code == ErrorCode.SILENT
