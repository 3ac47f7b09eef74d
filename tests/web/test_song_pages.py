"""The song pages: the owner's edit form, and the status endpoint the pages poll."""

from __future__ import annotations

import pytest
from django.test import Client

from library.models import Song
from tests.factories import (
    make_analysis,
    make_model_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_owner_edits_title_and_artist_others_get_404(client: Client, user) -> None:
    song = make_song(owner=user, title="Track 1")
    url = f"/songs/{song.pk}/edit/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "  So What ", "artist": "Miles Davis"})
    assert response.status_code == 302
    song.refresh_from_db()
    assert (song.title, song.artist) == ("So What", "Miles Davis")

    empty = client.post(url, {"title": "   ", "artist": ""})
    assert empty.status_code == 200
    assert b"This field is required" in empty.content
    song.refresh_from_db()
    assert song.title == "So What"

    other = Client()
    other.force_login(make_user("mallory"))
    assert other.get(url).status_code == 404
    assert other.post(url, {"title": "mine now", "artist": ""}).status_code == 404
    assert other.get(song.get_absolute_url()).status_code == 404
    song.refresh_from_db()
    assert song.title == "So What"


def test_status_endpoint_reports_own_songs_only(client: Client, user) -> None:
    queued = make_song(owner=user)
    failed = make_song(
        owner=user,
        status=Song.Status.FAILED,
        error_code="undecodable",
        error_message="The file could not be read as audio.",
    )
    done = make_song(owner=user, status=Song.Status.DONE)
    theirs = make_song(owner=make_user("mallory"))
    ids = ",".join(str(song.pk) for song in (queued, failed, done, theirs))

    waiting = client.get(f"/songs/status/?ids={ids}").json()
    assert [row["id"] for row in waiting] == [queued.pk, failed.pk, done.pk]
    assert waiting[0]["status_label"] == "Waiting for a genre model to be trained"

    version = make_model_version(is_active=True)
    make_analysis(
        song=done, model_version=version, embedding=unit_vector([1.0]), predicted_genre="rock"
    )
    rows = {row["id"]: row for row in client.get(f"/songs/status/?ids={ids}").json()}
    assert rows[queued.pk] == {
        "id": queued.pk, "status": "pending", "status_label": "Queued", "error_code": "",
        "error_message": "", "predicted_genre": None, "finished": False,
    }  # fmt: skip
    assert rows[failed.pk]["status_label"] == "Failed"
    assert rows[failed.pk]["error_message"] == "The file could not be read as audio."
    assert rows[done.pk]["predicted_genre"] == "rock"
    assert rows[done.pk]["finished"] is True

    assert client.get("/songs/status/?ids=1,x").status_code == 400
    assert Client().get(f"/songs/status/?ids={ids}").status_code == 401


def test_song_page_shows_live_status_hooks(client: Client, user) -> None:
    song = make_song(owner=user, status=Song.Status.FAILED, error_message="Too short.")

    response = client.get(song.get_absolute_url())

    text = response.content.decode()
    assert f'data-song-status="{song.pk}"' in text
    assert 'data-status-url="/songs/status/"' in text
    assert "Too short." in text
    assert "js/status.js" in text


def test_pages_say_why_songs_wait_without_a_model(client: Client, user, settings) -> None:
    settings.MAX_FILES_PER_UPLOAD, settings.MAX_UPLOAD_BYTES = 20, 100 * 1024 * 1024
    song = make_song(owner=user)

    detail = client.get(song.get_absolute_url()).content.decode()
    upload_page = client.get("/upload/").content.decode()

    assert "Waiting for a genre model to be trained" in detail
    assert "No genre model is active yet" in upload_page
    assert "Up to 20 files at a time, 100 MB" in " ".join(upload_page.split())
    make_model_version(is_active=True)
    assert "Queued" in client.get(song.get_absolute_url()).content.decode()
