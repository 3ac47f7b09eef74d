"""A file's own tags, read with mutagen: what uploads and scans store about a song besides audio.

Tags are what the file says, never trusted for anything but display: the format is still decided
by probing the content (`audio.decode.probe_audio`), and a file's genre tag is kept apart from
ground-truth labels and predictions. Broken tags are common and never fatal: they read as empty.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import Picture

logger = logging.getLogger(__name__)

_TEXT_LIMIT = 255
_NUMBER = re.compile(r"\s*(\d{1,4})")
_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class FileTags:
    title: str = ""
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str = ""
    duration: float | None = None  # seconds, from the stream's header
    cover: bytes | None = None  # the embedded picture's bytes (front cover preferred)


def read_tags(path: Path) -> FileTags:
    """The tags of the audio file at `path`; an empty FileTags when it has none or they break."""
    try:
        easy = mutagen.File(path, easy=True)
    except Exception as error:  # noqa: BLE001 - mutagen raises many types for broken tags
        logger.info("tags of %s unreadable: %s", path.name, error)
        return FileTags()
    if easy is None:
        return FileTags()
    tags = easy.tags or {}

    def first(*keys: str) -> str:
        for key in keys:
            try:
                values = tags.get(key) or []
            except (KeyError, ValueError):
                continue
            if values and str(values[0]).strip():
                return str(values[0]).strip()[:_TEXT_LIMIT]
        return ""

    length = getattr(getattr(easy, "info", None), "length", None)
    return FileTags(
        title=first("title"),
        artist=first("artist"),
        album=first("album"),
        album_artist=first("albumartist", "album artist", "album_artist"),
        track_number=_number(first("tracknumber")),
        disc_number=_number(first("discnumber")),
        year=_year(first("date", "year", "originaldate")),
        genre=first("genre")[:100],
        duration=float(length) if length else None,
        cover=_embedded_cover(path),
    )


def _number(text: str) -> int | None:
    """'3/12' -> 3; nonsense or 0 -> None."""
    match = _NUMBER.match(text)
    value = int(match.group(1)) if match else 0
    return value if 0 < value < 32768 else None


def _year(text: str) -> int | None:
    match = _YEAR.search(text)
    value = int(match.group(1)) if match else 0
    return value if 1000 <= value <= 2999 else None


def _embedded_cover(path: Path) -> bytes | None:
    """The embedded front cover (else the first picture): ID3 APIC, FLAC, MP4 `covr`, Vorbis."""
    try:
        tagged = mutagen.File(path)
    except Exception:  # noqa: BLE001 - as above
        return None
    if tagged is None:
        return None
    pictures: list[tuple[int, bytes]] = []  # (picture type, data); type 3 is the front cover
    for picture in getattr(tagged, "pictures", None) or []:  # FLAC
        pictures.append((picture.type, picture.data))
    tags: Any = tagged.tags
    if tags is not None:
        if hasattr(tags, "getall"):  # ID3
            pictures += [(frame.type, frame.data) for frame in tags.getall("APIC")]
        elif hasattr(tags, "get"):
            for data in tags.get("covr") or []:  # MP4
                pictures.append((3, bytes(data)))
            for encoded in tags.get("metadata_block_picture") or []:  # Ogg Vorbis / Opus
                try:
                    picture = Picture(base64.b64decode(encoded))
                except (ValueError, TypeError, mutagen.MutagenError):
                    continue
                pictures.append((picture.type, picture.data))
    if not pictures:
        return None
    pictures.sort(key=lambda item: item[0] != 3)
    return pictures[0][1] or None
