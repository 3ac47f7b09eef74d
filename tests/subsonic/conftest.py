"""A small library for the Subsonic tests: two users, an album with a cover, analysed songs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from library.covers import album_cover_set
from library.models import Album, Song
from subsonic.services import NewCredentials, credentials_rotate
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector


@dataclass
class Library:
    ada: Any
    bob: Any
    credentials: NewCredentials
    album: Album
    songs: list[Song]  # visible to ada, analysed; songs[0..2] on the album
    private: Song  # bob's, not shared


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def library() -> Library:
    ada = make_user("ada")
    bob = make_user("bob")
    version = make_serving_version(class_names=["jazz", "rock"])
    album = Album.objects.create(title="Blue Train", artist="John Coltrane", year=1957)
    album_cover_set(album=album, picture=_jpeg())
    songs = []
    for n in range(6):
        angle = n * 0.25
        genre = "jazz" if n < 4 else "rock"
        songs.append(
            make_analysed_song(
                version=version,
                embedding=unit_vector([1.0, angle, angle * angle]),
                probabilities={genre: 1.0},
                title=f"Tune {n}",
                artist="John Coltrane" if n < 3 else "Someone Else",
                album=album if n < 3 else None,
                track_number=n + 1 if n < 3 else None,
                duration=180.0,
                content=bytes(range(256)) * 40 + bytes([n]),
            )
        )
    private = make_analysed_song(
        version=version, embedding=unit_vector([1.0, 0.1]), owner=bob, title="Bob's secret"
    )
    return Library(
        ada=ada,
        bob=bob,
        credentials=credentials_rotate(user=ada),
        album=album,
        songs=songs,
        private=private,
    )
