"""Timbre's songs, albums, artists and playlists in the Subsonic shapes (Child, AlbumID3, ...).

Songs come from ``recommender.songs.song_list`` (annotated with ``predicted_genre`` and
``liked_by_me``) or as plain rows from the recommenders; a missing annotation reads as absent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet, Sum

from library.models import Album, Playlist, Song
from library.selectors import User, visible_q
from library.streaming import audio_content_type
from subsonic.ids import album_id, artist_id

UNKNOWN_ARTIST = "Unknown artist"


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def song_genre(song: Song) -> str | None:
    """The shown predicted genre, else the file's own genre tag."""
    return getattr(song, "predicted_genre", None) or song.file_genre or None


def child(song: Song, *, starred: datetime | None = None) -> dict[str, Any]:
    """A song as a Subsonic ``Child``."""
    artist = song.artist or (song.album.artist if song.album_id and song.album else "")
    genre = song_genre(song)
    album = song.album if song.album_id else None
    suffix = song.audio_format or ""
    liked_at = starred or getattr(song, "starred_at", None)
    return {
        "id": str(song.pk),
        "parent": album_id(album.pk) if album else artist_id(artist),
        "isDir": False,
        "title": song.title,
        "album": album.title if album else None,
        "artist": artist or UNKNOWN_ARTIST,
        "track": song.track_number,
        "discNumber": song.disc_number,
        "year": song.year,
        "genre": genre,
        "genres": [{"name": genre}] if genre else None,
        "coverArt": album_id(album.pk) if album and album.cover else None,
        "size": song.size_bytes,
        "contentType": audio_content_type(suffix),
        "suffix": suffix or None,
        "duration": round(song.duration) if song.duration else 0,
        "created": iso(song.created_at),
        "albumId": album_id(album.pk) if album else None,
        "artistId": artist_id(artist) if artist else None,
        "type": "music",
        "mediaType": "song",
        "isVideo": False,
        "starred": iso(liked_at),
    }


def albums_with_duration(albums: QuerySet[Any], *, user: User) -> QuerySet[Any]:
    """`albums` (from ``library.albums.album_list``) with the seconds of the songs `user` sees."""
    return albums.annotate(
        duration=Sum("songs__duration", filter=visible_q(user=user, prefix="songs__"))
    )


def album(row: Album) -> dict[str, Any]:
    """An album (annotated with ``song_count`` and ``duration``) as ``AlbumID3``."""
    artist = row.artist or UNKNOWN_ARTIST
    return {
        "id": album_id(row.pk),
        "name": row.title,
        "title": row.title,
        "artist": artist,
        "artistId": artist_id(row.artist) if row.artist else None,
        "coverArt": album_id(row.pk) if row.cover else None,
        "songCount": getattr(row, "song_count", 0),
        "duration": round(getattr(row, "duration", None) or 0),
        "created": iso(row.created_at),
        "year": row.year,
    }


def artist(name: str, *, album_count: int) -> dict[str, Any]:
    return {"id": artist_id(name), "name": name, "albumCount": album_count}


def playlist(row: Playlist, *, owner_name: str, songs: list[Song] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(row.pk),
        "name": row.name,
        "owner": owner_name,
        "public": row.is_public,
        "songCount": getattr(row, "song_count", len(songs or [])),
        "duration": round(sum(song.duration or 0 for song in songs or [])),
        "created": iso(row.created_at),
        "changed": iso(row.updated_at),
    }
    if songs is not None:
        payload["songCount"] = len(songs)
        payload["entry"] = [child(song) for song in songs]
    return payload
