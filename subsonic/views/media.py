"""Media: a song's bytes (whole, or the Range asked for) and an album's cover."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from PIL import Image, UnidentifiedImageError

from library.albums import album_cover_visible
from library.streaming import song_audio_response
from subsonic.endpoints import endpoint
from subsonic.ids import ALBUM_PREFIX, parse_album_id
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError
from subsonic.views.songs import song_visible

NO_FILE = SubsonicError(ErrorCode.NOT_FOUND, "The song's file is missing.")


def _song_bytes(request: HttpRequest, params: Params) -> HttpResponseBase:
    # Served as stored: no transcoding, whatever `format` or `maxBitRate` ask (players play the
    # formats Timbre accepts: MP3, FLAC, Ogg, WAV, M4A).
    song = song_visible(request, params.required("id"))
    try:
        return song_audio_response(request, song=song)
    except FileNotFoundError as error:
        raise NO_FILE from error


@endpoint("stream")
def stream(request: HttpRequest, params: Params) -> HttpResponseBase:
    return _song_bytes(request, params)


@endpoint("download")
def download(request: HttpRequest, params: Params) -> HttpResponseBase:
    return _song_bytes(request, params)


@endpoint("getCoverArt")
def get_cover_art(request: HttpRequest, params: Params) -> HttpResponseBase:
    """An album's cover (``al-<id>``, or a song id for its album's), scaled down to `size`."""
    cover_id = params.required("id")
    if cover_id.startswith(ALBUM_PREFIX):
        album_pk = parse_album_id(cover_id)
    else:
        album_pk = song_visible(request, cover_id).album_id or 0
    album = album_cover_visible(user=request.user, album_id=album_pk)
    if album is None:
        raise SubsonicError(ErrorCode.NOT_FOUND, "No cover art.")
    try:
        handle = album.cover.open("rb")
    except FileNotFoundError as error:
        raise SubsonicError(ErrorCode.NOT_FOUND, "No cover art.") from error
    size = params.int("size", 0, high=2000)
    if not size:
        response: HttpResponseBase = FileResponse(handle, content_type="image/jpeg")
    else:
        buffer = io.BytesIO()
        try:
            with handle, Image.open(handle) as image:
                image.thumbnail((size, size))
                image.convert("RGB").save(buffer, "JPEG", quality=85)
        except (OSError, UnidentifiedImageError) as error:
            raise SubsonicError(ErrorCode.NOT_FOUND, "No cover art.") from error
        response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
