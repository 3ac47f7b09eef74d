"""System endpoints: ping, the licence, the OpenSubsonic extensions, the music folders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from subsonic.endpoints import endpoint
from subsonic.params import Params

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
