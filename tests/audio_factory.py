"""Generated audio for tests: tones, noise, chords, chirps, and the broken files users upload.

Nothing here is a recording; every file is synthesised into the test's tmp_path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

from audio.decode import ffmpeg_executable

# Encoder arguments per extension for formats libsndfile does not write (or writes differently
# from what users upload): MP3 through LAME, M4A through ffmpeg's native AAC encoder.
_FFMPEG_ENCODERS = {
    ".mp3": ("-c:a", "libmp3lame", "-b:a", "192k"),
    ".m4a": ("-c:a", "aac", "-b:a", "192k"),
}


def tone(
    *,
    seconds: float,
    sample_rate: int,
    frequency: float = 440.0,
    amplitudes: tuple[float, ...] = (0.3,),
) -> np.ndarray:
    """A sine with one amplitude per channel: (n_samples, n_channels) float32."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    wave = np.sin(2 * np.pi * frequency * t)
    return np.stack([a * wave for a in amplitudes], axis=1).astype(np.float32)


def noise(*, seconds: float, sample_rate: int, amplitude: float, seed: int = 0) -> np.ndarray:
    """Gaussian noise of RMS `amplitude`: (n_samples,) float32."""
    rng = np.random.default_rng(seed)
    return (amplitude * rng.standard_normal(round(seconds * sample_rate))).astype(np.float32)


def chord(
    *,
    seconds: float,
    sample_rate: int,
    frequencies: tuple[float, ...] = (220.0, 277.18, 329.63),
    amplitude: float = 0.2,
    seed: int = 0,
) -> np.ndarray:
    """A plucked-sounding chord with a little noise, to exercise many mel bands: (n_samples,)."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    envelope = np.exp(-3.0 * (t % 0.5))  # a new attack every half second
    wave = sum(np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) for f in frequencies)
    wave = amplitude * envelope * wave / len(frequencies)
    wave += noise(seconds=seconds, sample_rate=sample_rate, amplitude=0.01, seed=seed)
    return wave.astype(np.float32)


def chirp_frequency(t: float | np.ndarray, *, seconds: float, f0: float, f1: float) -> np.ndarray:
    """Instantaneous frequency at time t of the linear chirp `write_chirp` writes."""
    return f0 + (f1 - f0) * np.asarray(t) / seconds


def write_chirp(
    path: Path,
    *,
    seconds: float,
    sample_rate: int,
    f0: float,
    f1: float,
    amplitude: float = 0.3,
    chunk_seconds: float = 600.0,
) -> Path:
    """A linear chirp from f0 to f1 Hz, written in chunks so a 2-hour file needs little memory.

    Formats libsndfile writes (from the extension); an .m4a or .mp3 goes through ffmpeg, whole.
    Each moment's frequency tells where in the file a decoded window came from.
    """
    total = round(seconds * sample_rate)
    chunk = round(chunk_seconds * sample_rate)
    sweep = (f1 - f0) / (2 * seconds)

    def samples(first: int, count: int) -> np.ndarray:
        t = np.arange(first, first + count) / sample_rate
        cycles = np.mod(f0 * t + sweep * t * t, 1.0)  # float64 phase, then a float32 sine
        return amplitude * np.sin((2 * np.pi * cycles).astype(np.float32))

    if path.suffix in _FFMPEG_ENCODERS:
        return write_audio(path, samples(0, total), sample_rate)
    with sf.SoundFile(path, "w", sample_rate, 1, subtype="PCM_16") as handle:
        for first in range(0, total, chunk):
            handle.write(samples(first, min(chunk, total - first)))
    return path


def write_audio(
    path: Path, samples: np.ndarray, sample_rate: int, *, subtype: str | None = None
) -> Path:
    """Write (n,) or (n, channels) samples in the format the extension names.

    .mp3 and .m4a are encoded by ffmpeg from float PCM on its stdin; everything else by
    libsndfile (`subtype` e.g. "FLOAT" for a float WAV that can hold NaN).
    """
    if path.suffix in _FFMPEG_ENCODERS:
        data = np.ascontiguousarray(samples, dtype="<f4")
        channels = 1 if data.ndim == 1 else data.shape[1]
        command = [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
        command += ["-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0"]
        command += [*_FFMPEG_ENCODERS[path.suffix], str(path)]
        subprocess.run(command, input=data.tobytes(), check=True, capture_output=True)
        return path
    sf.write(path, samples, sample_rate, subtype=subtype)
    return path


# Broken and unusable uploads.


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def text_file(path: Path) -> Path:
    """A text file under an audio name, e.g. notes.mp3."""
    path.write_text("These are my lyrics, not a recording.\n" * 50)
    return path


def random_bytes(path: Path, *, size: int = 100_000, seed: int = 0) -> Path:
    path.write_bytes(np.random.default_rng(seed).bytes(size))
    return path


def playlist(path: Path) -> Path:
    """An ffmpeg concat list pointing at a real audio file next to it, under an audio name.

    Decoders must not follow it: the same trick reads any file, or URL, the server can reach.
    """
    target = write_audio(path.with_name("target.wav"), tone(seconds=5, sample_rate=8000), 8000)
    # A relative name: ffmpeg's own "safe" mode refuses absolute ones but allows this.
    path.write_text(f"ffconcat version 1.0\nfile '{target.name}'\n")
    return path


def truncated_wav(
    path: Path, *, declared_seconds: float, kept_bytes: int | None = None, sample_rate: int = 22050
) -> Path:
    """A 16-bit mono WAV whose header declares `declared_seconds` but whose data is cut.

    kept_bytes counts from the start of the file (the header is 44 bytes); None keeps half.
    """
    wave = tone(seconds=declared_seconds, sample_rate=sample_rate)
    sf.write(path, wave, sample_rate, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 if kept_bytes is None else kept_bytes])
    return path


def wav_with_value(path: Path, value: float, *, seconds: float = 5.0, sample_rate: int = 22050):
    """A float WAV of a tone with one sample replaced by `value` (NaN, inf)."""
    wave = tone(seconds=seconds, sample_rate=sample_rate)
    wave[len(wave) // 2, 0] = value
    return write_audio(path, wave, sample_rate, subtype="FLOAT")


# Measurements on decoded audio.


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def dominant_frequency(samples: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * sample_rate / len(samples))


def spectral_centroid(samples: np.ndarray, sample_rate: int) -> float:
    power = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / sample_rate)
    return float(np.sum(frequencies * power) / np.sum(power))
