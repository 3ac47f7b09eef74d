"""Tagged music folders for scan tests: generated audio, ID3 tags and covers, in tmp_path."""

from __future__ import annotations

import io
import os
from pathlib import Path

from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK
from PIL import Image

from tests.audio_factory import chord, write_audio

SAMPLE_RATE = 22_050


def jpeg(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (600, 600)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="JPEG")
    return output.getvalue()


def tagged_mp3(
    path: Path,
    *,
    title: str,
    artist: str,
    album: str = "",
    album_artist: str = "",
    track: str = "",
    disc: str = "",
    year: str = "",
    genre: str = "",
    cover: bytes | None = None,
    seed: int = 0,
    seconds: float = 4.0,
) -> Path:
    """A short MP3 of distinct content (per `seed`) with ID3 tags."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = 110.0 * (1 + seed % 12 / 12)
    frequencies = (root, root * 1.26, root * 1.5)
    write_audio(
        path,
        chord(seconds=seconds, sample_rate=SAMPLE_RATE, frequencies=frequencies, seed=seed),
        SAMPLE_RATE,
    )
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=artist))
    for frame, value in ((TALB, album), (TPE2, album_artist), (TRCK, track), (TPOS, disc)):
        if value:
            tags.add(frame(encoding=3, text=value))
    if year:
        tags.add(TDRC(encoding=3, text=year))
    if genre:
        tags.add(TCON(encoding=3, text=genre))
    if cover:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Front", data=cover))
    tags.save(path)
    return path


def touch_later(path: Path, seconds: int = 10) -> None:
    """Move the file's modification time forward, as an edit would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))
