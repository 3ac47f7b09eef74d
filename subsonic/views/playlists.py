"""Playlists: the same playlists as the web, read and written through the library's services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from library.models import Playlist
from library.selectors_listening import playlist_items, playlist_list_visible
from library.services.playlists import (
    playlist_add_songs,
    playlist_create,
    playlist_delete,
    playlist_set_songs,
    playlist_update,
)
from subsonic import serializers
from subsonic.endpoints import endpoint
from subsonic.ids import parse_pk
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError
from subsonic.views.songs import songs_listed


def _visible(request: HttpRequest, playlist_id: str) -> Playlist:
    found = (
        playlist_list_visible(user=request.user)
        .select_related("owner")
        .filter(pk=parse_pk(playlist_id))
        .first()
    )
    if found is None:
        raise SubsonicError(ErrorCode.NOT_FOUND, "Playlist not found.")
    return found


def _own(request: HttpRequest, playlist_id: str) -> Playlist:
    playlist = _visible(request, playlist_id)
    if playlist.owner_id != request.user.pk:
        raise SubsonicError(ErrorCode.NOT_AUTHORISED, "Only its owner may change a playlist.")
    return playlist


def _with_songs(request: HttpRequest, playlist: Playlist) -> dict[str, Any]:
    items = playlist_items(playlist=playlist, user=request.user)
    return serializers.playlist(
        playlist,
        owner_name=playlist.owner.get_username(),
        songs=songs_listed(request, (item.song for item in items)),
    )


def _song_ids(params: Params, name: str) -> list[int]:
    return [parse_pk(text) for text in params.getlist(name)]


def _invalid(error: ValidationError) -> SubsonicError:
    return SubsonicError(ErrorCode.GENERIC, " ".join(error.messages))


@endpoint("getPlaylists")
def get_playlists(request: HttpRequest, params: Params) -> dict[str, Any]:
    rows = playlist_list_visible(user=request.user).select_related("owner")
    found = [serializers.playlist(row, owner_name=row.owner.get_username()) for row in rows]
    return {"playlists": {"playlist": found}}


@endpoint("getPlaylist")
def get_playlist(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"playlist": _with_songs(request, _visible(request, params.required("id")))}


@endpoint("createPlaylist")
def create_playlist(request: HttpRequest, params: Params) -> dict[str, Any]:
    """A new playlist (`name`), or one of the user's own replaced (`playlistId`), of `songId`s."""
    song_ids = _song_ids(params, "songId")
    try:
        if params.get("playlistId"):
            playlist = _own(request, params.get("playlistId"))
            playlist_set_songs(playlist=playlist, song_ids=[])
            playlist_add_songs(playlist=playlist, song_ids=song_ids)
        else:
            playlist = playlist_create(
                owner=request.user, name=params.required("name"), song_ids=song_ids
            )
    except ValidationError as error:
        raise _invalid(error) from error
    return {"playlist": _with_songs(request, _visible(request, str(playlist.pk)))}


@endpoint("updatePlaylist")
def update_playlist(request: HttpRequest, params: Params) -> dict[str, Any]:
    playlist = _own(request, params.required("playlistId"))
    remove = {int(text) for text in params.getlist("songIndexToRemove") if text.isdigit()}
    try:
        if params.get("name") or params.get("public"):
            public = params.bool("public", playlist.is_public) if params.get("public") else None
            playlist_update(playlist=playlist, name=params.get("name") or None, is_public=public)
        if remove:
            ids = list(playlist.items.order_by("position").values_list("song_id", flat=True))
            kept = [song_id for index, song_id in enumerate(ids) if index not in remove]
            playlist_set_songs(playlist=playlist, song_ids=kept)
        added = _song_ids(params, "songIdToAdd")
        if added:
            playlist_add_songs(playlist=playlist, song_ids=added)
    except ValidationError as error:
        raise _invalid(error) from error
    return {}


@endpoint("deletePlaylist")
def delete_playlist(request: HttpRequest, params: Params) -> dict[str, Any]:
    playlist_delete(playlist=_own(request, params.required("id")))
    return {}
