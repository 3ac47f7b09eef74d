"""Recommendations: Instant Mix (getSimilarSongs, getSimilarSongs2) from the song radio, and the
``sonicSimilarity`` extension (getSonicSimilarTracks, findSonicPath) from similar songs and paths.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from library.albums import artist_exists
from library.models import Song
from recommender.paths import song_path
from recommender.radio import MAX_COUNT, radio_next
from recommender.recommendations import song_list_similar
from subsonic import serializers
from subsonic.endpoints import endpoint
from subsonic.ids import ALBUM_PREFIX, ARTIST_PREFIX, parse_album_id, parse_artist_id
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError
from subsonic.views.songs import song_visible, songs, songs_listed


def _seed(request: HttpRequest, seed_id: str) -> Song:
    """The song an Instant Mix starts from: the song, or an album's or artist's first song."""
    if seed_id.startswith(ALBUM_PREFIX):
        found = songs(request, album=parse_album_id(seed_id), ordering="track").first()
    elif seed_id.startswith(ARTIST_PREFIX):
        name = parse_artist_id(seed_id)
        found = (
            songs(request, artist=name).first()
            if artist_exists(user=request.user, name=name)
            else None
        )
    else:
        return song_visible(request, seed_id)
    if found is None:
        raise SubsonicError(ErrorCode.NOT_FOUND, "Not found.")
    return found


def _instant_mix(request: HttpRequest, params: Params) -> list[dict[str, Any]]:
    seed = _seed(request, params.required("id"))
    count = params.int("count", MAX_COUNT, low=1, high=MAX_COUNT)
    mix = radio_next(seed=seed, user=request.user, history=[seed.pk], count=count)
    return [serializers.child(song) for song in songs_listed(request, (i.song for i in mix))]


@endpoint("getSimilarSongs")
def get_similar_songs(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"similarSongs": {"song": _instant_mix(request, params)}}


@endpoint("getSimilarSongs2")
def get_similar_songs2(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"similarSongs2": {"song": _instant_mix(request, params)}}


def _similarity(value: float | None) -> float:
    """A cosine similarity as the extension wants it: in [0, 1], 1.0 the same song."""
    return round(min(max(value if value is not None else 0.0, 0.0), 1.0), 4)


@endpoint("getSonicSimilarTracks")
def get_sonic_similar_tracks(request: HttpRequest, params: Params) -> dict[str, Any]:
    song = song_visible(request, params.required("id"))
    count = params.int("count", 10, low=1, high=MAX_COUNT)
    similar = song_list_similar(song=song, user=request.user, limit=count)
    similarity = {item.song.pk: item.similarity for item in similar}
    matches = [
        {"entry": serializers.child(row), "similarity": _similarity(similarity[row.pk])}
        for row in songs_listed(request, (item.song for item in similar))
    ]
    return {"sonicMatch": matches}


@endpoint("findSonicPath")
def find_sonic_path(request: HttpRequest, params: Params) -> dict[str, Any]:
    """`count` songs (default 25) from the start song to the end song, both included; each with
    its similarity to the song before it (the start's is 1.0)."""
    start = song_visible(request, params.required("startSongId"))
    end = song_visible(request, params.required("endSongId"))
    count = params.int("count", 25, low=2, high=MAX_COUNT)
    path = song_path(start=start, end=end, user=request.user, steps=count - 1)
    rows = {row.pk: row for row in songs_listed(request, (step.song for step in path))}
    matches = [
        {
            "entry": serializers.child(rows[step.song.pk]),
            "similarity": 1.0 if step.similarity is None else _similarity(step.similarity),
        }
        for step in path
        if step.song.pk in rows
    ]
    return {"sonicMatch": matches}
