"""Staff add and relabel dataset songs in the admin, through the same checks as uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from library.models import Song
from tests.audio_factory import text_file
from tests.factories import make_genre, make_song, make_user
from tests.uploading import wav_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    user = make_user("curator")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_a_labelled_dataset_song(staff: Client, tmp_path: Path) -> None:
    genre = make_genre("jazz")
    path = wav_file(tmp_path / "Blue Monk.wav")

    with path.open("rb") as handle:
        response = staff.post(
            "/admin/library/song/add/",
            {"title": "", "artist": "", "audio": handle, "genre": genre.pk, "source": "dataset"},
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    song = Song.objects.get()
    assert song.title == "Blue Monk"  # from the file name
    assert song.genre == genre
    assert song.source == Song.Source.DATASET
    assert len(song.sha256) == 64
    assert song.audio.name.startswith("songs/") and "Blue" not in song.audio.name


def test_staff_adding_a_non_audio_file_sees_why(staff: Client, tmp_path: Path) -> None:
    path = text_file(tmp_path / "notes.mp3")

    with path.open("rb") as handle:
        response = staff.post(
            "/admin/library/song/add/",
            {"title": "Notes", "audio": handle, "source": "dataset"},
        )

    assert response.status_code == 200
    assert "Expected a music file" in response.content.decode()
    assert not Song.objects.exists()


def test_staff_relabel_songs_from_the_list(staff: Client, tmp_path: Path) -> None:
    from tests.factories import make_song

    song = make_song(genre=make_genre("jazz"), source=Song.Source.DATASET)
    rock = make_genre("rock")

    response = staff.post(
        "/admin/library/song/",
        {
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": song.pk,
            "form-0-genre": rock.pk, "_save": "Save",
        },
    )  # fmt: skip

    assert response.status_code == 302
    song.refresh_from_db()
    assert song.genre == rock


def test_bookmarks_of_the_first_apps_admin_pages_still_open(staff: Client) -> None:
    song = make_song(title="Blue Monk")

    response = staff.get(f"/admin/recommender/song/{song.pk}/change/?_popup=1", follow=True)

    assert response.redirect_chain[0] == (
        f"/admin/library/song/{song.pk}/change/?_popup=1",
        301,
    )
    assert response.status_code == 200
    assert "Blue Monk" in response.content.decode()
