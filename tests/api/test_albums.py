"""Albums and tag fields in the API: the same selectors as the web pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from library.models import Album
from library.services.scans import library_scan
from tests.library.scan_tree import jpeg, tagged_mp3

pytestmark = pytest.mark.django_db


@pytest.fixture
def album(tmp_path: Path) -> Album:
    root = tmp_path / "music"
    letters = {"album": "Letters", "album_artist": "Various", "disc": "1"}
    tagged_mp3(root / "b.mp3", title="Zeta", artist="Z", track="1", year="2003",
               genre="Electronic", cover=jpeg(), seed=1, **letters)  # fmt: skip
    tagged_mp3(root / "a.mp3", title="Alpha", artist="A", track="2", seed=2, **letters)
    library_scan(paths=[root])
    return Album.objects.get(title="Letters")


def test_songs_carry_their_tags_and_album_and_search_finds_albums(
    api: APIClient, album: Album
) -> None:
    response = api.get("/api/songs/", {"q": "letters", "ordering": "track"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [song["title"] for song in results] == ["Zeta", "Alpha"]
    zeta = results[0]
    assert zeta["album"]["title"] == "Letters" and zeta["album"]["artist"] == "Various"
    assert zeta["album"]["cover_url"].endswith(f"/albums/{album.pk}/cover.jpg")
    assert (zeta["track_number"], zeta["disc_number"], zeta["year"]) == (1, 1, 2003)
    assert zeta["file_genre"] == "Electronic" and zeta["predicted_genre"] is None
    assert zeta["source"] == "scan" and zeta["missing"] is False
    by_artist = api.get("/api/songs/", {"artist": "various"}).json()
    assert by_artist["count"] == 2


def test_album_list_and_detail_with_tracks_in_order(api: APIClient, album: Album) -> None:
    listed = api.get("/api/albums/", {"q": "lett"}).json()
    assert [(a["title"], a["song_count"]) for a in listed["results"]] == [("Letters", 2)]

    detail = api.get(f"/api/albums/{album.pk}/").json()
    assert [track["title"] for track in detail["tracks"]] == ["Zeta", "Alpha"]
    assert api.get("/api/albums/999999/").status_code == 404
