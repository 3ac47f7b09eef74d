"""Albums and artists: the grid with covers, an album's tracks in order, an artist's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.models import Album, Song
from library.services import song_create
from library.services.scans import library_scan
from recommender.songs import song_list
from tests.factories import make_user
from tests.library.scan_tree import jpeg, tagged_mp3

pytestmark = pytest.mark.django_db


@pytest.fixture
def music(tmp_path: Path) -> Path:
    root = tmp_path / "music"
    blue = root / "Kind of Blue"
    # Track 2 sorts first by title: the album page must follow the track numbers.
    tagged_mp3(blue / "b.mp3", title="So What", artist="Miles Davis", album="Kind of Blue",
               track="1/2", year="1959", cover=jpeg(), seed=1)  # fmt: skip
    tagged_mp3(blue / "a.mp3", title="Freddie Freeloader", artist="Miles Davis",
               album="Kind of Blue", track="2/2", seed=2)  # fmt: skip
    tagged_mp3(root / "loose.mp3", title="Loose", artist="Miles Davis", seed=3)
    library_scan(paths=[root])
    return root


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_album_grid_album_page_and_cover(music: Path) -> None:
    client = logged_in(make_user())
    album = Album.objects.get(title="Kind of Blue")

    grid = client.get(reverse("web:album_list"))
    assert grid.status_code == 200
    assert b"Kind of Blue" in grid.content
    assert reverse("web:album_cover", args=[album.pk]).encode() in grid.content

    page = client.get(album.get_absolute_url())
    assert page.status_code == 200
    assert list(page.context["tracks"].values_list("title", flat=True)) == [
        "So What", "Freddie Freeloader",
    ]  # fmt: skip

    cover = client.get(reverse("web:album_cover", args=[album.pk]))
    assert cover.status_code == 200 and cover["Content-Type"] == "image/jpeg"
    assert b"".join(cover.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]


def test_artist_page_lists_albums_and_songs(music: Path) -> None:
    client = logged_in(make_user())

    page = client.get(reverse("web:artist_detail", args=["miles davis"]))

    assert page.status_code == 200
    assert [a.title for a in page.context["albums"]] == ["Kind of Blue"]
    assert page.context["page"].paginator.count == 3
    assert client.get(reverse("web:artist_detail", args=["Nobody"])).status_code == 404


def test_search_finds_songs_by_album(music: Path) -> None:
    user = make_user()

    found = song_list(user=user, versions=[], search="kind blue")

    assert set(found.values_list("title", flat=True)) == {"So What", "Freddie Freeloader"}
    response = logged_in(user).get(reverse("web:home"), {"q": "Kind"})
    assert response.context["page"].paginator.count == 2


def test_an_album_of_private_uploads_is_its_owners_alone(tmp_path: Path) -> None:
    owner, other = make_user(), make_user()
    path = tagged_mp3(tmp_path / "p.mp3", title="Mine", artist="Me", album="Private",
                      cover=jpeg())  # fmt: skip
    from django.core.files import File

    with path.open("rb") as handle:
        song_create(owner=owner, upload=File(handle, name="p.mp3"), original_filename="p.mp3")
    album = Album.objects.get(title="Private")

    assert logged_in(owner).get(album.get_absolute_url()).status_code == 200
    assert logged_in(other).get(album.get_absolute_url()).status_code == 404
    assert logged_in(other).get(reverse("web:album_cover", args=[album.pk])).status_code == 404
    assert b"Private" not in logged_in(other).get(reverse("web:album_list")).content


def test_album_pages_need_a_log_in(music: Path) -> None:
    album = Album.objects.first()
    assert album is not None
    for url in (
        reverse("web:album_list"),
        album.get_absolute_url(),
        reverse("web:album_cover", args=[album.pk]),
        reverse("web:artist_detail", args=["Miles Davis"]),
    ):
        assert Client().get(url).status_code == 302, url


def test_album_grid_queries_do_not_grow_with_albums(tmp_path: Path) -> None:
    user = make_user()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert logged_in(user).get(reverse("web:album_list")).status_code == 200
        return len(captured)

    def add_albums(first: int, count: int) -> None:
        for n in range(first, first + count):
            album = Album.objects.create(title=f"Album {n}", artist="A")
            Song.objects.create(title=f"S{n}", sha256=f"{n:064d}", album=album)

    add_albums(0, 2)
    few = queries()
    add_albums(2, 10)
    assert queries() == few
