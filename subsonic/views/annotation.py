"""Annotation: star and unstar (the web's likes), the starred songs, and scrobbles (plays)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from library.models_listening import SKIP_SECONDS
from library.services import like_create, like_delete
from library.services.listening import play_record
from subsonic import serializers
from subsonic.endpoints import endpoint
from subsonic.params import Params
from subsonic.views.songs import song_visible, songs

# Timbre likes songs, not albums or artists: `albumId` and `artistId` are accepted and change
# nothing, so that a player starring an album does not show an error.


@endpoint("star")
def star(request: HttpRequest, params: Params) -> dict[str, Any]:
    for song in [song_visible(request, song_id) for song_id in params.getlist("id")]:
        like_create(user=request.user, song=song)  # type: ignore[arg-type]
    return {}


@endpoint("unstar")
def unstar(request: HttpRequest, params: Params) -> dict[str, Any]:
    for song in [song_visible(request, song_id) for song_id in params.getlist("id")]:
        like_delete(user=request.user, song=song)  # type: ignore[arg-type]
    return {}


@endpoint("getStarred2")
def get_starred2(request: HttpRequest, params: Params) -> dict[str, Any]:
    liked = songs(request).filter(liked_by_me=True).order_by("-starred_at", "-id")
    return {"starred2": {"artist": [], "album": [], "song": [serializers.child(s) for s in liked]}}


@endpoint("scrobble")
def scrobble(request: HttpRequest, params: Params) -> dict[str, Any]:
    """A submission is a play to its end (the player decides when a song counts as played);
    a "now playing" notice (``submission=false``) records nothing. A song of unknown length
    counts as heard past the skip mark."""
    found = [song_visible(request, song_id) for song_id in params.getlist("id")]
    if params.bool("submission", True):
        for song in found:
            play_record(user=request.user, song=song, seconds_played=song.duration or SKIP_SECONDS)
    return {}


@endpoint("getStarred")
def get_starred(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"starred": get_starred2(request, params)["starred2"]}
