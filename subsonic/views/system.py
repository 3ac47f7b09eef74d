"""System endpoints: ping, the licence, the OpenSubsonic extensions, the music folders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from subsonic.endpoints import endpoint
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError

EXTENSIONS = [
    {"name": "apiKeyAuthentication", "versions": [1]},
    {"name": "formPost", "versions": [1]},
    {"name": "sonicSimilarity", "versions": [1]},
]
# Timbre's library is one collection, whatever folders it was scanned from: one music folder.
MUSIC_FOLDER_ID = 1


@endpoint("ping")
def ping(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {}


@endpoint("getLicense")
def get_license(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"license": {"valid": True}}


# The specification asks for it without credentials: players call it before they log in.
@endpoint("getOpenSubsonicExtensions", public=True)
def get_open_subsonic_extensions(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"openSubsonicExtensions": EXTENSIONS}


@endpoint("getMusicFolders")
def get_music_folders(request: HttpRequest, params: Params) -> dict[str, Any]:
    return {"musicFolders": {"musicFolder": [{"id": MUSIC_FOLDER_ID, "name": "Timbre"}]}}


@endpoint("getUser")
def get_user(request: HttpRequest, params: Params) -> dict[str, Any]:
    """The signed-in user's rights (players ask before they offer streaming or playlists).

    Only oneself: there is no user administration through this API.
    """
    user: Any = request.user
    username = params.get("username", user.get_username())
    if username != user.get_username():
        raise SubsonicError(ErrorCode.NOT_AUTHORISED, "You may only see your own user.")
    return {
        "user": {
            "username": username,
            "scrobblingEnabled": True,
            "adminRole": bool(user.is_staff),
            "settingsRole": False,
            "downloadRole": True,
            "uploadRole": False,
            "playlistRole": True,
            "coverArtRole": False,
            "commentRole": False,
            "podcastRole": False,
            "streamRole": True,
            "jukeboxRole": False,
            "shareRole": False,
            "videoConversionRole": False,
            "folder": [MUSIC_FOLDER_ID],
        }
    }


@endpoint("getNowPlaying")
def get_now_playing(request: HttpRequest, params: Params) -> dict[str, Any]:
    # Timbre keeps no "now playing" state: scrobble notices without `submission` are dropped.
    return {"nowPlaying": {}}
