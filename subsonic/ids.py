"""Subsonic ids: opaque strings to players. Songs and playlists are their primary keys; albums
are ``al-<pk>``; artists, which are names in Timbre, are ``ar-<the name in hex>``."""

from __future__ import annotations

from subsonic.responses import ErrorCode, SubsonicError

ALBUM_PREFIX = "al-"
ARTIST_PREFIX = "ar-"


def album_id(pk: int) -> str:
    return f"{ALBUM_PREFIX}{pk}"


def artist_id(name: str) -> str:
    return f"{ARTIST_PREFIX}{name.encode().hex()}"


def _not_found(text: str) -> SubsonicError:
    return SubsonicError(ErrorCode.NOT_FOUND, f"Not found: {text[:100]}")


def parse_pk(text: str) -> int:
    """A song or playlist id (a positive integer); anything else is not found (70)."""
    if not text.isdigit() or len(text) > 18:
        raise _not_found(text)
    return int(text)


def parse_album_id(text: str) -> int:
    if not text.startswith(ALBUM_PREFIX):
        raise _not_found(text)
    return parse_pk(text.removeprefix(ALBUM_PREFIX))


def parse_artist_id(text: str) -> str:
    if not text.startswith(ARTIST_PREFIX):
        raise _not_found(text)
    try:
        return bytes.fromhex(text.removeprefix(ARTIST_PREFIX)).decode()
    except ValueError as error:
        raise _not_found(text) from error
