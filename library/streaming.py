"""Serving a stored song to the browser's <audio> element, with HTTP range requests.

Browsers seek in audio by asking for byte ranges (Chrome will not seek at all unless the server
answers `Range` with 206 Partial Content). One range per request is supported, as browsers send;
a header with several ranges, or one we cannot parse, gets the whole file (RFC 9110 lets a server
ignore Range). The file is read through `library.files` (the storage, or a music folder): no
path on disk is ever sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)

from library.files import song_file_open
from library.models import Song

# Our probed format names (audio.decode) -> what browsers expect.
AUDIO_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "mp4": "audio/mp4",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "aiff": "audio/aiff",
    "au": "audio/basic",
    "mkv": "audio/x-matroska",
    "webm": "audio/webm",
    "wma": "audio/x-ms-wma",
}
_CHUNK = 64 * 1024
# ASCII digits only (\d also matches other scripts' digits), at most 18 of them: a longer number
# is past any file we store, and int() of a few thousand digits raises (Python's digit limit).
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)
_MAX_DIGITS = 18


class RangeNotSatisfiable(Exception):
    """The requested range lies wholly outside the file."""


def audio_content_type(audio_format: str) -> str:
    return AUDIO_CONTENT_TYPES.get(audio_format.lower(), "application/octet-stream")


def parse_range(header: str, *, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a `Range: bytes=...` header for a file of `size` bytes.

    None: no usable single range, serve the whole file. Raises RangeNotSatisfiable for a range
    that starts past the end (or a zero-length suffix).
    """
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first_text, last_text = (_bounded(text) for text in match.groups())
    if not first_text:  # "bytes=-500": the last 500 bytes
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # syntactically invalid: ignore the header
    if first >= size:
        raise RangeNotSatisfiable
    last = min(int(last_text), size - 1) if last_text else size - 1
    return first, last


def _bounded(digits: str) -> str:
    """The digits, or 10**18 for a number too long to be a byte position in any stored file."""
    digits = digits.lstrip("0") or ("0" if digits else "")
    return digits if len(digits) <= _MAX_DIGITS else str(10**_MAX_DIGITS)


def _read_range(handle: IO[bytes], *, first: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(first)
        left = length
        while left > 0:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def song_audio_response(request: HttpRequest, *, song: Song) -> HttpResponseBase:
    """The song's file: 200 with all of it, or 206 with the one range the request asks for.

    Raises FileNotFoundError when the stored file is missing.
    """
    handle, size = song_file_open(song=song)
    content_type = audio_content_type(song.audio_format)
    # The hash is of the bytes served (a rescan re-hashes a changed scanned file): a strong ETag.
    etag = f'"{song.sha256}"'
    byte_range = None
    header = request.headers.get("Range", "")
    if header and request.headers.get("If-Range", etag) == etag:
        try:
            byte_range = parse_range(header, size=size)
        except RangeNotSatisfiable:
            handle.close()
            refusal = HttpResponse(status=416)
            refusal["Content-Range"] = f"bytes */{size}"
            refusal["Accept-Ranges"] = "bytes"
            return refusal

    if byte_range is None:
        response: HttpResponseBase = FileResponse(
            handle, content_type=content_type, filename=_download_name(song)
        )
    else:
        first, last = byte_range
        length = last - first + 1
        response = StreamingHttpResponse(
            _read_range(handle, first=first, length=length), status=206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _download_name(song: Song) -> str:
    """The name a browser offers when saving: the song's title, never the stored name."""
    stem = re.sub(r"[^\w\- ]+", "", str(song)).strip()[:100] or f"song-{song.pk}"
    return f"{stem}{song.storage_suffix}"
