"""Browsing: artists, albums, songs, genres, search, and the folder views of older clients."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import HttpRequest

from library.albums import album_list, album_visible, artist_exists, artist_list
from library.models import Like, Play
from subsonic import serializers
from subsonic.endpoints import endpoint
from subsonic.ids import ALBUM_PREFIX, artist_id, parse_album_id, parse_artist_id
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError
from subsonic.views.songs import song_visible, songs

MAX_SIZE = 500


def _index(artists: list[tuple[str, int]], *, id3: bool) -> list[dict[str, Any]]:
    """Artists grouped by their first letter ("#" for the rest), as the index views want."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for name, album_count in artists:
        letter = name[:1].upper() if name[:1].isalpha() else "#"
        item = (
            serializers.artist(name, album_count=album_count)
            if id3
            else {"id": artist_id(name), "name": name}
        )
        groups.setdefault(letter, []).append(item)
    return [{"name": letter, "artist": groups[letter]} for letter in sorted(groups)]


@endpoint("getArtists")
def get_artists(request: HttpRequest, params: Params) -> dict[str, Any]:
    index = _index(artist_list(user=request.user), id3=True)
    return {"artists": {"ignoredArticles": "", "index": index}}


@endpoint("getIndexes")
def get_indexes(request: HttpRequest, params: Params) -> dict[str, Any]:
    index = _index(artist_list(user=request.user), id3=False)
    modified = int(time.time() * 1000)
    return {"indexes": {"lastModified": modified, "ignoredArticles": "", "index": index}}


def _albums(request: HttpRequest, **filters: Any) -> QuerySet[Any]:
    return serializers.albums_with_duration(
        album_list(user=request.user, **filters), user=request.user
    )


@endpoint("getArtist")
def get_artist(request: HttpRequest, params: Params) -> dict[str, Any]:
    name = parse_artist_id(params.required("id"))
    if not artist_exists(user=request.user, name=name):
        raise SubsonicError(ErrorCode.NOT_FOUND, "Artist not found.")
    albums = [serializers.album(row) for row in _albums(request, artist=name)]
    return {"artist": {**serializers.artist(name, album_count=len(albums)), "album": albums}}


@endpoint("getAlbum")
def get_album(request: HttpRequest, params: Params) -> dict[str, Any]:
    pk = parse_album_id(params.required("id"))
    row = _albums(request).filter(pk=pk).first()
    if row is None:
        raise SubsonicError(ErrorCode.NOT_FOUND, "Album not found.")
    tracks = [serializers.child(song) for song in songs(request, album=pk, ordering="track")]
    return {"album": {**serializers.album(row), "song": tracks}}


def _album_list(request: HttpRequest, params: Params) -> QuerySet[Any]:
    """The albums of getAlbumList2's `type`, in its order."""
    kind = params.required("type")
    user: Any = request.user
    albums = _albums(request)
    if kind == "alphabeticalByArtist":
        return albums
    if kind == "alphabeticalByName":
        return albums.order_by(Lower("title"), "id")
    if kind == "newest":
        return albums.order_by("-created_at", "-id")
    if kind == "random":
        return albums.order_by("?")
    if kind == "starred":
        liked = Like.objects.filter(user_id=user.pk, song__album=OuterRef("pk"))
        return albums.filter(Exists(liked))
    if kind in {"frequent", "recent"}:
        plays = Play.objects.filter(user_id=user.pk, song__album=OuterRef("pk")).order_by()
        measure: QuerySet[Any, Any] = (
            plays.values("song__album").annotate(n=Count("pk")).values("n")
            if kind == "frequent"
            else plays.order_by("-started_at").values("started_at")
        )
        return (
            albums.annotate(measure=Subquery(measure[:1]))
            .filter(measure__isnull=False)
            .order_by(F("measure").desc(), "id")
        )
    if kind == "byYear":
        first = params.int("fromYear", 0, high=9999)
        last = params.int("toYear", 9999, high=9999)
        low, high = sorted((first, last))
        found = albums.filter(year__gte=low, year__lte=high)
        return found.order_by("year", "id") if first <= last else found.order_by("-year", "-id")
    if kind == "byGenre":
        genre = params.required("genre")
        in_genre = _songs_in_genre(request, genre).filter(album__isnull=False).values("album_id")
        return albums.filter(pk__in=in_genre)
    raise SubsonicError(ErrorCode.GENERIC, f"Unknown album list type {kind[:40]!r}.")


@endpoint("getAlbumList2")
def get_album_list2(request: HttpRequest, params: Params) -> dict[str, Any]:
    size = params.int("size", 10, low=1, high=MAX_SIZE)
    offset = params.int("offset", 0, high=10**6)
    rows = _album_list(request, params)[offset : offset + size]
    return {"albumList2": {"album": [serializers.album(row) for row in rows]}}


@endpoint("getSong")
def get_song(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"song": serializers.child(song_visible(request, params.required("id")))}


def _songs_in_genre(request: HttpRequest, genre: str) -> QuerySet[Any]:
    """Songs in `genre` as Timbre predicts it, or as the file's own tag says (ignoring case)."""
    return songs(request).filter(Q(predicted_genre=genre) | Q(file_genre__iexact=genre))


@endpoint("getGenres")
def get_genres(request: HttpRequest, params: Params) -> dict[str, Any]:
    counts: dict[str, dict[str, Any]] = {}
    rows = (
        songs(request)
        .order_by()
        .values("predicted_genre", "file_genre")
        .annotate(song_count=Count("pk"), albums=Count("album", distinct=True))
    )
    for row in rows:
        name = row["predicted_genre"] or row["file_genre"]
        if not name:
            continue
        entry = counts.setdefault(name, {"value": name, "songCount": 0, "albumCount": 0})
        entry["songCount"] += row["song_count"]
        entry["albumCount"] += row["albums"]
    return {"genres": {"genre": [counts[name] for name in sorted(counts)]}}


@endpoint("getSongsByGenre")
def get_songs_by_genre(request: HttpRequest, params: Params) -> dict[str, Any]:
    genre = params.required("genre")
    count = params.int("count", 10, low=1, high=MAX_SIZE)
    offset = params.int("offset", 0, high=10**6)
    found = _songs_in_genre(request, genre).order_by("pk")[offset : offset + count]
    return {"songsByGenre": {"song": [serializers.child(song) for song in found]}}


@endpoint("getRandomSongs")
def get_random_songs(request: HttpRequest, params: Params) -> dict[str, Any]:
    size = params.int("size", 10, low=1, high=MAX_SIZE)
    found = _songs_in_genre(request, params.get("genre")) if params.get("genre") else songs(request)
    if params.get("fromYear"):
        found = found.filter(year__gte=params.int("fromYear", 0, high=9999))
    if params.get("toYear"):
        found = found.filter(year__lte=params.int("toYear", 9999, high=9999))
    return {
        "randomSongs": {"song": [serializers.child(song) for song in found.order_by("?")[:size]]}
    }


def _query(params: Params) -> str:
    # Some players send "" (two quote marks) to list everything.
    return params.get("query").strip().strip('"').strip()


@endpoint("search3")
def search3(request: HttpRequest, params: Params) -> dict[str, Any]:
    query = _query(params)
    words = [word.casefold() for word in query.split()]

    def page(prefix: str) -> slice:
        count = params.int(f"{prefix}Count", 20, high=MAX_SIZE)
        offset = params.int(f"{prefix}Offset", 0, high=10**6)
        return slice(offset, offset + count)

    artists = [
        serializers.artist(name, album_count=count)
        for name, count in artist_list(user=request.user)
        if all(word in name.casefold() for word in words)
    ][page("artist")]
    albums = [serializers.album(row) for row in _albums(request, search=query)[page("album")]]
    found = [serializers.child(song) for song in songs(request, search=query)[page("song")]]
    return {"searchResult3": {"artist": artists, "album": albums, "song": found}}


@endpoint("getMusicDirectory")
def get_music_directory(request: HttpRequest, params: Params) -> dict[str, Any]:
    """An artist is a directory of albums (and of songs with no album); an album one of songs."""
    directory_id = params.required("id")
    if directory_id.startswith(ALBUM_PREFIX):
        album = album_visible(user=request.user, album_id=parse_album_id(directory_id))
        if album is None:
            raise SubsonicError(ErrorCode.NOT_FOUND, "Directory not found.")
        tracks = songs(request, album=album.pk, ordering="track")
        return {
            "directory": {
                "id": directory_id,
                "name": album.title,
                "parent": artist_id(album.artist) if album.artist else None,
                "child": [serializers.child(song) for song in tracks],
            }
        }
    name = parse_artist_id(directory_id)
    if not artist_exists(user=request.user, name=name):
        raise SubsonicError(ErrorCode.NOT_FOUND, "Directory not found.")
    folders = [
        {**serializers.album(row), "parent": directory_id, "isDir": True, "title": row.title}
        for row in _albums(request, artist=name)
    ]
    loose = songs(request, artist=name, ordering="title").filter(album__isnull=True)
    return {
        "directory": {
            "id": directory_id,
            "name": name,
            "child": folders + [serializers.child(song) for song in loose],
        }
    }


# --- the same, for clients that browse by folder rather than by ID3 tags -------------------------


def _as_directory(row: Any) -> dict[str, Any]:
    """An album as a folder ``Child`` (getAlbumList, search2)."""
    payload = serializers.album(row)
    return {
        "id": payload["id"],
        "parent": payload["artistId"],
        "isDir": True,
        "title": row.title,
        "album": row.title,
        "artist": payload["artist"],
        "year": row.year,
        "coverArt": payload["coverArt"],
        "created": payload["created"],
    }


@endpoint("getAlbumList")
def get_album_list(request: HttpRequest, params: Params) -> dict[str, Any]:
    size = params.int("size", 10, low=1, high=MAX_SIZE)
    offset = params.int("offset", 0, high=10**6)
    rows = _album_list(request, params)[offset : offset + size]
    return {"albumList": {"album": [_as_directory(row) for row in rows]}}


@endpoint("search2")
def search2(request: HttpRequest, params: Params) -> dict[str, Any]:
    result = search3(request, params)["searchResult3"]
    albums = _albums(request, search=_query(params))
    count = params.int("albumCount", 20, high=MAX_SIZE)
    offset = params.int("albumOffset", 0, high=10**6)
    return {
        "searchResult2": {
            "artist": [{"id": item["id"], "name": item["name"]} for item in result["artist"]],
            "album": [_as_directory(row) for row in albums[offset : offset + count]],
            "song": result["song"],
        }
    }
