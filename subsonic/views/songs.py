"""The reads the endpoints share: the one song list with each song's like time, one visible song."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from library.models import Like, Song
from recommender.songs import model_versions_shown, song_list
from subsonic.ids import parse_pk
from subsonic.responses import ErrorCode, SubsonicError


def songs(request: HttpRequest, **filters: Any) -> QuerySet[Any]:
    """``recommender.songs.song_list`` for the request's user, with ``starred_at`` (their like)."""
    user: Any = request.user
    liked = Like.objects.filter(user_id=user.pk, song=OuterRef("pk")).values("created_at")
    return song_list(user=request.user, versions=model_versions_shown(), **filters).annotate(
        starred_at=Subquery(liked[:1])
    )


def song_visible(request: HttpRequest, song_id: str) -> Song:
    """The song of `song_id` if the user may see it; 70 otherwise (also for others' private
    songs, as the web answers 404)."""
    song: Song | None = songs(request).filter(pk=parse_pk(song_id)).first()
    if song is None:
        raise SubsonicError(ErrorCode.NOT_FOUND, "Song not found.")
    return song


def songs_listed(request: HttpRequest, found: Iterable[Song]) -> list[Song]:
    """`found` (rows from a recommender or a playlist) re-read through the one song list, in
    order: one query for their albums, shown genres and likes instead of one per song."""
    ordered = list(found)
    rows = songs(request).in_bulk([song.pk for song in ordered])
    return [rows[song.pk] for song in ordered if song.pk in rows]
