"""Decode audio files into a few mono windows at the sample rate a model expects.

Two decoders sit behind one interface:

- libsndfile (through `soundfile`), in process, for WAV, FLAC, OGG (Vorbis/Opus), MP3, AIFF,
  AU and the other formats it knows; it seeks by sample, so reading a window costs only that window;
- ffmpeg, over a pipe, for everything else (M4A/AAC, WMA, Matroska/WebM audio, ...), seeking with
  `-ss` before `-i` so that it too decodes only the windows asked for.

Both hand out blocks of native-rate audio that are averaged to mono (as `librosa.to_mono` does,
which the pretrained musicnn network was trained on) and resampled with soxr at high quality in a
streaming way, so memory stays bounded by the analysed audio, never by the file. A file longer than
`MAX_WINDOWS * WINDOW_SECONDS` is read as `MAX_WINDOWS` evenly spread windows of `WINDOW_SECONDS`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf
import soxr

from audio.errors import ErrorCode, InvalidAudioError

logger = logging.getLogger(__name__)

MIN_SECONDS = 3.0
MAX_WINDOWS = 10
WINDOW_SECONDS = 30.0
# -80 dBFS: well above 16-bit dither (about -96 dBFS), well below the quietest mastered music
# (a pianissimo passage averaged over 30 s sits around -50 dBFS).
SILENCE_RMS = 1e-4

_BLOCK_SECONDS = 10.0  # unit of reading and resampling; bounds the working memory per window
# Lossy files declare a little more than decodes (AAC: a frame, ~50 ms): the last window ends this
# far before the declared end so that it is still a full window.
_END_MARGIN_SECONDS = 1.0
_PROBE_TIMEOUT_SECONDS = 60
_EXPECTED = "Expected a music file such as MP3, FLAC, WAV, OGG or M4A."

# libsndfile format names -> the short names we report.
_SOUNDFILE_FORMATS = {"WAVEX": "wav", "OGG": "ogg", "MP3": "mp3", "AIFF": "aiff", "AU": "au"}
# Containers whose header states the sample count exactly: zero there means no audio at all.
_PCM_CONTAINERS = frozenset({"WAV", "WAVEX", "AIFF", "AU", "FLAC", "W64", "RF64", "CAF"})
# ffmpeg demuxers we allow: audio containers only. Together with `-protocol_whitelist file` this
# keeps an uploaded playlist (HLS, concat, ...) from making ffmpeg open other files or URLs.
_FFMPEG_DEMUXERS = (
    "mp3,mov,ogg,flac,wav,w64,aiff,au,caf,aac,loas,ac3,eac3,dts,truehd,matroska,asf,amr,"
    "ape,wv,tta,mpc,mpc8,tak,dsf,voc,rso,sox"
)
_FFMPEG_INPUT_GUARDS = ("-protocol_whitelist", "file", "-format_whitelist", _FFMPEG_DEMUXERS)
_FFMPEG_FORMAT_NAMES = {"mov": "mp4", "matroska": "mkv", "asf": "wma"}
_FFMPEG_LAYOUT_CHANNELS = {
    "mono": 1, "stereo": 2, "downmix": 2, "2.1": 3, "3.0": 3, "3.0(back)": 3, "4.0": 4, "quad": 4,
    "quad(side)": 4, "3.1": 4, "5.0": 5, "5.0(side)": 5, "4.1": 5, "5.1": 6, "5.1(side)": 6,
    "6.0": 6, "6.0(front)": 6, "hexagonal": 6, "6.1": 7, "6.1(back)": 7, "6.1(front)": 7,
    "7.0": 7, "7.0(front)": 7, "7.1": 8, "7.1(wide)": 8, "7.1(wide-side)": 8, "octagonal": 8,
}  # fmt: skip
# Anchored at ffmpeg's own indentation so that a tag value cannot pose as one of these lines.
_FFMPEG_INPUT = re.compile(r"^Input #0, (?P<format>.+?), from ", re.MULTILINE)
_FFMPEG_DURATION = re.compile(r"^  Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", re.MULTILINE)
_FFMPEG_AUDIO = re.compile(
    r"^  Stream #0:\d+\S*: Audio: [^\n]*?, (?P<rate>\d+) Hz, (?P<layout>[^,\n]+)", re.MULTILINE
)


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says, read without decoding the audio."""

    format: str  # short container name: "wav", "flac", "ogg", "mp3", "mp4", ...
    duration: float  # seconds; 0.0 when the container does not say
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class DecodedAudio:
    """The analysed part of a file: mono float32 windows at `sample_rate`.

    `windows` holds one array of shape (n_samples,) per window: the whole file when it lasts at most
    `MAX_WINDOWS * WINDOW_SECONDS`, else `MAX_WINDOWS` windows of `WINDOW_SECONDS` evenly spread
    from the start to the end. `offsets` gives each window's start in seconds.
    """

    windows: tuple[np.ndarray, ...]
    sample_rate: int
    duration: float  # seconds, the whole file
    source_sample_rate: int
    channels: int  # in the file, before the downmix
    offsets: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")
        for window in self.windows:
            if window.ndim != 1 or window.dtype != np.float32:
                raise ValueError(
                    f"windows must be 1-D float32 arrays, got {window.dtype} {window.shape}"
                )
        if self.offsets and len(self.offsets) != len(self.windows):
            raise ValueError("offsets must give one start per window")

    @property
    def analysed_seconds(self) -> float:
        return sum(len(window) for window in self.windows) / self.sample_rate

    @classmethod
    def from_samples(cls, samples: np.ndarray, *, sample_rate: int) -> DecodedAudio:
        """Wrap an in-memory mono signal (n_samples,), e.g. synthesised, as one window.

        Applies the same checks as `load_audio` (finite, long enough, not silent).
        """
        mono = np.asarray(samples, dtype=np.float32)
        if mono.ndim != 1:
            raise ValueError(f"samples must be mono (n_samples,), got shape {mono.shape}")
        if not np.isfinite(mono).all():
            raise _non_finite()
        validate_windows((mono,), sample_rate=sample_rate)
        return cls(
            windows=(mono,),
            sample_rate=sample_rate,
            duration=len(mono) / sample_rate,
            source_sample_rate=sample_rate,
            channels=1,
            offsets=(0.0,),
        )


@dataclass(frozen=True)
class _Probe:
    info: AudioInfo
    backend: Literal["soundfile", "ffmpeg"]
    path: Path


def probe_audio(source: str | os.PathLike[str]) -> AudioInfo:
    """Read a file's header to check, at upload time, that it is audio we can decode.

    Costs one header read (or one short ffmpeg run), never a decode. Raises InvalidAudioError:
    `empty`, `undecodable`, or `too_short` when the header gives a duration under MIN_SECONDS.
    """
    probe = _probe(_existing_file(source))
    if 0 < probe.info.duration < MIN_SECONDS:
        raise _too_short(probe.info.duration)
    return probe.info


def load_audio(
    source: str | os.PathLike[str],
    *,
    sample_rate: int,
    max_windows: int = MAX_WINDOWS,
    window_seconds: float = WINDOW_SECONDS,
) -> DecodedAudio:
    """Decode a file into mono float32 windows at `sample_rate` (see DecodedAudio).

    Files longer than `max_windows * window_seconds` are read as `max_windows` evenly spread
    windows of `window_seconds`; shorter ones whole.

    Raises InvalidAudioError (`empty`, `undecodable`, `too_short`, `silent`, `non_finite`) for
    files that are not analysable audio; FileNotFoundError if there is no file at all.
    """
    probe = _probe(_existing_file(source))
    info = probe.info
    spans = analysis_spans(info.duration, max_windows=max_windows, window_seconds=window_seconds)
    windows: list[np.ndarray] = []
    with _span_reader(probe) as read_span:
        for start, seconds in spans:
            windows.append(
                _resample_blocks(
                    read_span(start, seconds), in_rate=info.sample_rate, out_rate=sample_rate
                )
            )

    decoded_seconds = sum(len(window) for window in windows) / sample_rate
    if decoded_seconds == 0:
        raise InvalidAudioError(
            ErrorCode.UNDECODABLE, f"No audio could be decoded from the file. {_EXPECTED}"
        )
    spanned = list(zip((start for start, _ in spans), windows, strict=True))
    # Windows past the real end of a file whose header overstates its length come back short
    # or empty; drop them unless nothing else is left.
    kept = [(start, w) for start, w in spanned if len(w) >= MIN_SECONDS * sample_rate] or [
        (start, w) for start, w in spanned if len(w)
    ]
    # A header that promised far more than could be decoded means a damaged or cut file, which
    # the uploader should hear about as such rather than as "too short".
    if info.duration >= MIN_SECONDS and decoded_seconds < MIN_SECONDS:
        raise InvalidAudioError(
            ErrorCode.UNDECODABLE,
            f"The file declares {info.duration:.1f} s of audio but only {decoded_seconds:.1f} s "
            f"could be decoded; it looks truncated or damaged. {_EXPECTED}",
        )
    validate_windows(tuple(window for _, window in kept), sample_rate=sample_rate)
    return DecodedAudio(
        windows=tuple(window for _, window in kept),
        sample_rate=sample_rate,
        duration=info.duration if info.duration > 0 else decoded_seconds,
        source_sample_rate=info.sample_rate,
        channels=info.channels,
        offsets=tuple(start for start, _ in kept),
    )


def analysis_spans(
    duration: float, *, max_windows: int = MAX_WINDOWS, window_seconds: float = WINDOW_SECONDS
) -> tuple[tuple[float, float], ...]:
    """The (start, seconds) spans load_audio decodes from a file of `duration` seconds.

    Up to MAX_WINDOWS * WINDOW_SECONDS (or when the duration is unknown, 0.0): one span from the
    start, capped at that length so a header that understates the length cannot make us decode a
    whole long file. Longer: MAX_WINDOWS spans of WINDOW_SECONDS, the first at the start and the
    last ending _END_MARGIN_SECONDS before the end.
    """
    limit = max_windows * window_seconds
    if duration <= limit:
        return ((0.0, limit),)
    starts = np.linspace(0.0, duration - window_seconds - _END_MARGIN_SECONDS, max_windows)
    return tuple((float(start), window_seconds) for start in starts)


def validate_windows(windows: tuple[np.ndarray, ...], *, sample_rate: int) -> None:
    """Raise InvalidAudioError unless the mono windows hold at least MIN_SECONDS of sound."""
    total = sum(len(window) for window in windows)
    # One sample of slack: resampling 3.000 s may round to a sample less.
    if total + 1 < MIN_SECONDS * sample_rate:
        raise _too_short(total / sample_rate)
    energy = sum(float(np.dot(window, window)) for window in windows)
    rms = math.sqrt(energy / total)
    if rms < SILENCE_RMS:
        level = f"average level {20 * math.log10(rms):.0f} dBFS" if rms else "all samples zero"
        raise InvalidAudioError(
            ErrorCode.SILENT,
            f"The audio is silent ({level}); expected audible sound, louder than "
            f"{20 * math.log10(SILENCE_RMS):.0f} dBFS on average.",
        )


@functools.cache
def ffmpeg_executable() -> str:
    """ffmpeg on PATH, else the static build shipped with imageio-ffmpeg."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise RuntimeError(
            "ffmpeg is needed to decode this format: install ffmpeg or imageio-ffmpeg"
        ) from exc
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _existing_file(source: str | os.PathLike[str]) -> Path:
    path = Path(source)
    # A missing file is our storage's fault, not the uploader's: no InvalidAudioError.
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {path}")
    if path.stat().st_size == 0:
        raise InvalidAudioError(ErrorCode.EMPTY, f"The file is empty (0 bytes). {_EXPECTED}")
    return path


def _probe(path: Path) -> _Probe:
    try:
        header = sf.info(str(path))
    except (sf.SoundFileError, RuntimeError) as exc:
        logger.debug("libsndfile cannot open %s (%s); trying ffmpeg", path, exc)
    else:
        if header.frames > 0 and header.samplerate > 0 and header.channels > 0:
            info = AudioInfo(
                format=_SOUNDFILE_FORMATS.get(header.format, header.format.lower()),
                duration=header.frames / header.samplerate,
                sample_rate=int(header.samplerate),
                channels=int(header.channels),
            )
            return _Probe(info=info, backend="soundfile", path=path)
        if header.format in _PCM_CONTAINERS and header.frames == 0:
            # A valid header with no sample data: ffmpeg would call it "unknown length".
            raise InvalidAudioError(
                ErrorCode.UNDECODABLE,
                f"The file has an audio header but no audio data; it looks truncated. {_EXPECTED}",
            )
    return _Probe(info=_ffmpeg_probe(path), backend="ffmpeg", path=path)


def _ffmpeg_probe(path: Path) -> AudioInfo:
    # Without an output ffmpeg prints the input's description and exits with status 1.
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", *_FFMPEG_INPUT_GUARDS]
    command += ["-i", _ffmpeg_url(path)]
    result = subprocess.run(
        command, capture_output=True, timeout=_PROBE_TIMEOUT_SECONDS, check=False
    )
    report = result.stderr.decode("utf-8", errors="replace")
    container = _FFMPEG_INPUT.search(report)
    stream = _FFMPEG_AUDIO.search(report)
    # "detected only with low score": ffmpeg guessed a format from a few lucky bytes, which is
    # what random data or a renamed text file looks like.
    if container is None or stream is None or "detected only with low score" in report:
        logger.debug("ffmpeg cannot read %s: %s", path, report[-2000:])
        reason = "unknown format"
        if container is not None and stream is None and "low score" not in report:
            reason = "it contains no audio stream"
        raise InvalidAudioError(
            ErrorCode.UNDECODABLE, f"The file could not be read as audio ({reason}). {_EXPECTED}"
        )
    duration = _FFMPEG_DURATION.search(report)
    seconds = 0.0
    if duration is not None:
        hours, minutes, secs = duration.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    demuxer = container["format"].split(",")[0]
    return AudioInfo(
        format=_FFMPEG_FORMAT_NAMES.get(demuxer, demuxer),
        duration=seconds,
        sample_rate=int(stream["rate"]),
        channels=_ffmpeg_channel_count(stream["layout"].strip()),
    )


def _ffmpeg_channel_count(layout: str) -> int:
    if layout in _FFMPEG_LAYOUT_CHANNELS:
        return _FFMPEG_LAYOUT_CHANNELS[layout]
    match = re.fullmatch(r"(\d+) channels(?: \(.*\))?", layout)
    if match:
        return int(match[1])
    # An exotic layout: let ffmpeg fold it into stereo (its downmix), which we then average.
    logger.info("unknown channel layout %r; decoding as stereo", layout)
    return 2


def _ffmpeg_url(path: Path) -> str:
    # "file:" stops a name such as "http:x.mp3" or "-i" from being read as a URL or an option.
    return "file:" + str(path.resolve())


Blocks = Generator[np.ndarray, None, None]
SpanReader = Callable[[float, float], Blocks]


@contextlib.contextmanager
def _span_reader(probe: _Probe) -> Iterator[SpanReader]:
    """Yield read_span(start, seconds) -> iterator of mono float32 blocks at the native rate."""
    if probe.backend == "soundfile":
        try:
            handle = sf.SoundFile(str(probe.path))
        except (sf.SoundFileError, RuntimeError) as exc:
            raise _undecodable_data() from exc
        with handle:
            yield functools.partial(_soundfile_blocks, handle)
    else:
        yield functools.partial(_ffmpeg_blocks, probe)


def _soundfile_blocks(handle: sf.SoundFile, start: float, seconds: float) -> Blocks:
    rate = handle.samplerate
    first = min(round(start * rate), handle.frames)
    remaining = min(round(seconds * rate), handle.frames - first)
    block = int(_BLOCK_SECONDS * rate)
    try:
        handle.seek(first)
        while remaining > 0:
            data = handle.read(min(block, remaining), dtype="float32", always_2d=True)
            if len(data) == 0:
                return
            remaining -= len(data)
            yield _downmix(data)
    except (sf.SoundFileError, RuntimeError) as exc:
        raise _undecodable_data() from exc


def _ffmpeg_blocks(probe: _Probe, start: float, seconds: float) -> Blocks:
    info = probe.info
    command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    # -ss before -i seeks in the input. ffmpeg's -t cuts at codec-frame boundaries (AAC came out
    # up to 50 ms short), so it only bounds the decoding with a second to spare and the window is
    # cut to the exact sample count here.
    command += [*_FFMPEG_INPUT_GUARDS, "-ss", f"{start:.3f}", "-i", _ffmpeg_url(probe.path)]
    command += ["-t", f"{seconds + 1:.3f}", "-map", "0:a:0"]
    # Keep the native rate and channels (ffmpeg's own downmix weights channels by 1/sqrt(2), not
    # the plain mean that librosa and the soundfile path use); soxr resamples afterwards.
    command += ["-ac", str(info.channels), "-ar", str(info.sample_rate), "-f", "f32le", "pipe:1"]
    frame_bytes = 4 * info.channels
    block_bytes = frame_bytes * int(_BLOCK_SECONDS * info.sample_rate)
    remaining_bytes = frame_bytes * round(seconds * info.sample_rate)
    # stderr goes to a file: a damaged input can log more than a pipe buffer holds, which would
    # stall ffmpeg while we wait on stdout.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        try:
            while remaining_bytes > 0:
                chunk = process.stdout.read(min(block_bytes, remaining_bytes))
                if not chunk:
                    break
                usable = len(chunk) - len(chunk) % frame_bytes
                remaining_bytes -= usable
                data = np.frombuffer(chunk, dtype="<f4", count=usable // 4)
                yield _downmix(data.reshape(-1, info.channels))
            # At the end of the input a failure means damaged data. What was decoded is kept and
            # judged by the caller (too short, truncated), so only log why ffmpeg stopped.
            if remaining_bytes > 0 and (status := process.wait()):
                errors.seek(0)
                message = errors.read()[-2000:].decode("utf-8", errors="replace")
                logger.info("ffmpeg exited with %s on %s: %s", status, probe.path, message)
        finally:
            process.stdout.close()
            if process.poll() is None:  # closed early: a rejected block or an error
                process.kill()
            process.wait()


def _downmix(data: np.ndarray) -> np.ndarray:
    """(n_frames, n_channels) -> (n_frames,) float32, the mean of the channels."""
    if data.shape[1] == 1:
        return np.ascontiguousarray(data[:, 0], dtype=np.float32)
    return data.mean(axis=1, dtype=np.float32)


def _resample_blocks(blocks: Blocks, *, in_rate: int, out_rate: int) -> np.ndarray:
    """Concatenate native-rate blocks into one (n_samples,) float32 array at out_rate."""
    stream = None
    if in_rate != out_rate:
        stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="float32", quality="HQ")
    pieces: list[np.ndarray] = []
    with contextlib.closing(blocks):  # stops ffmpeg at once if a block is rejected
        for block in blocks:
            # Checked before resampling: soxr would smear one NaN over its whole filter length.
            if not np.isfinite(block).all():
                raise _non_finite()
            pieces.append(block if stream is None else stream.resample_chunk(block))
    if stream is not None:
        pieces.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32, copy=False)


def _too_short(seconds: float) -> InvalidAudioError:
    return InvalidAudioError(
        ErrorCode.TOO_SHORT,
        f"The audio is {seconds:.1f} s long; at least {MIN_SECONDS:.0f} s is needed to analyse it.",
    )


def _non_finite() -> InvalidAudioError:
    return InvalidAudioError(
        ErrorCode.NON_FINITE,
        "The audio contains invalid sample values (NaN or infinity); expected finite samples.",
    )


def _undecodable_data() -> InvalidAudioError:
    return InvalidAudioError(
        ErrorCode.UNDECODABLE,
        f"The file's header is readable but its audio data is damaged. {_EXPECTED}",
    )
