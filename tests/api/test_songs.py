"""The songs API: upload (multipart, `files` repeated), list with filters, detail, edit, delete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.pagination import Pagination
from classifier.models import Analysis
from library.models import Like, Song
from tests.audio_factory import text_file
from tests.factories import (
    make_analysed_song,
    make_analysis,
    make_model_version,
    make_serving_version,
    make_song,
    make_user,
    unit_vector,
)
from tests.uploading import as_upload, wav_file

pytestmark = pytest.mark.django_db

API_URL = "/api/songs/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()  # the upload throttle counts in the default cache


@pytest.fixture
def client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_upload_and_detail(client: Client, user, tmp_path: Path) -> None:
    good = wav_file(tmp_path / "Nina Simone - Sinnerman.wav")
    bad = text_file(tmp_path / "notes.mp3")

    response = client.post(API_URL, {"files": [as_upload(good), as_upload(bad)]})

    assert response.status_code == 201
    created, refused = response.json()["results"]
    assert created["outcome"] == "created"
    assert created["error"] is None
    song = created["song"]
    assert (song["title"], song["artist"], song["status"]) == (
        "Sinnerman",
        "Nina Simone",
        "pending",
    )
    assert song["status_label"] == "Waiting for a genre model to be trained"
    assert refused["outcome"] == "refused"
    assert refused["song"] is None
    assert refused["error"]["code"] == "undecodable"

    again = client.post(API_URL, {"files": [as_upload(good)]})
    assert again.status_code == 200
    assert again.json()["results"][0]["outcome"] == "existing"

    detail = client.get(f"{API_URL}{song['id']}/")
    assert detail.status_code == 200
    assert detail.json()["id"] == song["id"]

    other = Client()
    other.force_login(make_user("mallory"))
    assert other.get(f"{API_URL}{song['id']}/").status_code == 404

    all_bad = client.post(API_URL, {"files": [as_upload(bad)]})
    assert all_bad.status_code == 400


def test_api_takes_a_token_and_refuses_anonymous(user, tmp_path: Path) -> None:
    path = wav_file(tmp_path / "a.wav")
    anonymous = Client().post(API_URL, {"files": [as_upload(path)]})
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"

    token = Token.objects.create(user=user)
    response = Client().post(
        API_URL, {"files": [as_upload(path)]}, headers={"Authorization": f"Token {token.key}"}
    )
    assert response.status_code == 201
    assert Song.objects.get().owner == user


def test_api_session_post_needs_csrf(user, tmp_path: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(API_URL, {"files": [as_upload(wav_file(tmp_path / "a.wav"))]})

    assert response.status_code == 403
    assert not Song.objects.exists()


def test_api_uploads_are_throttled(client: Client, tmp_path: Path, settings) -> None:
    settings.UPLOAD_THROTTLE = "1/hour"  # one file an hour
    path = wav_file(tmp_path / "a.wav")

    assert client.post(API_URL, {"files": [as_upload(path)]}).status_code == 201
    throttled = client.post(API_URL, {"files": [as_upload(path)]})

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "1 files" in throttled.json()["detail"]
    assert throttled["Retry-After"] == "3600"
    assert client.get(API_URL).status_code == 200  # reading the list is not an upload


# --- list, detail, edit, delete ------------------------------------------------------------------


@pytest.fixture
def version():
    return make_serving_version(class_names=["jazz", "rock", "techno"])


def song_titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def test_list_filters_and_orders(api: APIClient, user, version) -> None:
    other = make_user("bob")
    make_analysed_song(
        version=version,
        embedding=unit_vector([1]),
        owner=user,
        title="Blue in Green",
        artist="Miles Davis",
    )
    make_analysed_song(
        version=version,
        embedding=unit_vector([0, 1]),
        owner=user,
        title="Paranoid",
        artist="Black Sabbath",
        probabilities={"rock": 0.8, "jazz": 0.2},
    )
    make_song(owner=user, title="Fresh upload")  # pending: no prediction yet
    make_analysed_song(
        version=version,
        embedding=unit_vector([1, 1]),
        owner=other,
        title="Shared jazz",
        is_public=True,
    )
    make_analysed_song(
        version=version,
        embedding=unit_vector([1, 2]),
        title="Dataset rock",
        source=Song.Source.DATASET,
        probabilities={"rock": 1.0},
    )
    make_song(owner=other, title="Bob's secret")  # fmt: skip

    everything = api.get(API_URL, {"ordering": "title"})
    assert song_titles(everything) == [
        "Blue in Green", "Dataset rock", "Fresh upload", "Paranoid", "Shared jazz",
    ]  # fmt: skip
    assert everything.json()["count"] == 5

    assert song_titles(api.get(API_URL, {"q": "miles"})) == ["Blue in Green"]
    assert song_titles(api.get(API_URL, {"q": "sabbath"})) == ["Paranoid"]
    assert song_titles(api.get(API_URL, {"genre": "rock", "ordering": "title"})) == [
        "Dataset rock", "Paranoid",
    ]  # fmt: skip
    assert song_titles(api.get(API_URL, {"status": "pending"})) == ["Fresh upload"]
    assert song_titles(api.get(API_URL, {"source": "dataset"})) == ["Dataset rock"]
    assert song_titles(api.get(API_URL, {"mine": "true", "ordering": "-title"})) == [
        "Paranoid", "Fresh upload", "Blue in Green",
    ]  # fmt: skip
    assert song_titles(api.get(API_URL, {"ordering": "artist"}))[-2:] == [
        "Paranoid", "Blue in Green",  # Black Sabbath, Miles Davis; songs without artist first
    ]  # fmt: skip
    assert song_titles(api.get(API_URL))[0] == "Dataset rock"  # newest first by default

    item = next(i for i in everything.json()["results"] if i["title"] == "Paranoid")
    assert (item["predicted_genre"], item["is_mine"], item["is_public"]) == ("rock", True, False)
    shared = next(i for i in everything.json()["results"] if i["title"] == "Shared jazz")
    assert (shared["is_mine"], shared["is_public"]) == (False, True)


def test_list_refuses_unknown_filter_values(api: APIClient) -> None:
    response = api.get(API_URL, {"status": "finished", "ordering": "size"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"status", "ordering"}
    assert body["detail"].startswith("status: ")


def test_list_pages_with_a_capped_page_size(api: APIClient, user, monkeypatch) -> None:
    for n in range(5):
        make_song(owner=user, title=f"Song {n}")

    first = api.get(API_URL, {"page_size": 2, "ordering": "title"}).json()
    assert (first["count"], [s["title"] for s in first["results"]]) == (5, ["Song 0", "Song 1"])
    second = api.get(first["next"]).json()
    assert [s["title"] for s in second["results"]] == ["Song 2", "Song 3"]

    monkeypatch.setattr(Pagination, "max_page_size", 3)
    assert len(api.get(API_URL, {"page_size": 1000}).json()["results"]) == 3


def test_list_runs_the_same_queries_for_any_number_of_songs(api: APIClient, user, version) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(API_URL).status_code == 200
        return len(captured)

    make_analysed_song(version=version, embedding=unit_vector([1]), owner=user)
    few = queries()
    for n in range(2, 8):
        song = make_analysed_song(version=version, embedding=unit_vector([1, n]), owner=user)
        Like.objects.create(user=user, song=song)
    assert queries() == few


def test_detail_has_the_analysis_and_likes(api: APIClient, user, version) -> None:
    song = make_analysed_song(
        version=version, embedding=unit_vector([1]), owner=user, title="So What",
        probabilities={"jazz": 0.7, "rock": 0.1, "techno": 0.2},
    )  # fmt: skip
    tags = {f"tag{n}": n / 100 for n in range(15)}
    Analysis.objects.filter(song=song).update(tags=tags)
    Like.objects.create(user=user, song=song)
    Like.objects.create(user=make_user("bob"), song=song)

    body = api.get(f"{API_URL}{song.pk}/").json()

    assert (body["title"], body["predicted_genre"], body["is_public"]) == ("So What", "jazz", False)
    assert (body["like_count"], body["liked_by_me"]) == (2, True)
    analysis = body["analysis"]
    assert analysis["model_version"] == version.name
    assert [g["name"] for g in analysis["genres"]] == ["jazz", "techno", "rock"]
    assert analysis["genres"][0]["score"] == pytest.approx(0.7)
    assert [t["name"] for t in analysis["tags"]] == [f"tag{n}" for n in range(14, 4, -1)]


def test_during_a_reanalysis_songs_show_the_serving_versions_genre(api: APIClient, user) -> None:
    old = make_model_version(class_names=["jazz", "rock"])
    old.activated_at = old.library_covered_at = timezone.now() - timedelta(days=1)
    old.save(update_fields=["activated_at", "library_covered_at"])
    new = make_serving_version(class_names=["jazz", "rock"])
    new.library_covered_at = None  # active, still re-analysing
    new.save(update_fields=["library_covered_at"])
    both = make_analysed_song(version=old, embedding=unit_vector([1]), owner=user, title="Both")
    make_analysis(song=both, model_version=new, embedding=unit_vector([1]), predicted_genre="rock")
    make_analysed_song(
        version=new, embedding=unit_vector([0, 1]), probabilities={"rock": 1.0}, owner=user,
        title="New only",
    )  # fmt: skip
    make_analysed_song(version=old, embedding=unit_vector([1, 1]), owner=user, title="Old only")

    listed = api.get(API_URL, {"ordering": "title"}).json()["results"]
    detail = api.get(f"{API_URL}{both.pk}/").json()

    # "Old only" is not analysed by the new version yet, so the old one still serves.
    assert [(s["title"], s["predicted_genre"]) for s in listed] == [
        ("Both", "jazz"), ("New only", "rock"), ("Old only", "jazz"),
    ]  # fmt: skip
    assert detail["analysis"]["model_version"] == old.name
    assert song_titles(api.get(API_URL, {"genre": "rock"})) == ["New only"]


def test_detail_of_a_song_not_analysed_yet(api: APIClient, user) -> None:
    song = make_song(owner=user)

    body = api.get(f"{API_URL}{song.pk}/").json()

    assert (body["analysis"], body["predicted_genre"], body["like_count"]) == (None, None, 0)
    assert body["status_label"] == "Waiting for a genre model to be trained"


def test_owner_edits_title_artist_and_sharing(api: APIClient, user) -> None:
    song = make_song(owner=user, title="track01")
    url = f"{API_URL}{song.pk}/"

    edited = api.patch(url, {"title": " Naima ", "artist": "John Coltrane"}, format="json")
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["artist"]) == ("Naima", "John Coltrane")

    shared = api.patch(url, {"is_public": True}, format="json")
    assert (shared.json()["is_public"], shared.json()["title"]) == (True, "Naima")
    song.refresh_from_db()
    assert (song.title, song.artist, song.is_public) == ("Naima", "John Coltrane", True)

    refused = api.patch(url, {"title": "  ", "is_public": False}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid",
        "detail": "title: A song needs a title.",
        "errors": {"title": ["A song needs a title."]},
    }
    song.refresh_from_db()
    assert (song.title, song.is_public) == ("Naima", True)  # nothing of a refused edit is kept


def test_delete_removes_the_song_its_likes_and_its_file(
    api: APIClient, user, version, django_capture_on_commit_callbacks
) -> None:
    song = make_analysed_song(version=version, embedding=unit_vector([1]), owner=user)
    Like.objects.create(user=user, song=song)
    path = Path(song.audio.path)
    assert path.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{API_URL}{song.pk}/")

    assert response.status_code == 204
    assert not Song.objects.filter(pk=song.pk).exists()
    assert not Like.objects.exists() and not Analysis.objects.exists()
    assert not path.exists()
    assert api.delete(f"{API_URL}{song.pk}/").status_code == 404


def test_a_refused_delete_keeps_the_file(user, django_capture_on_commit_callbacks) -> None:
    song = make_song(owner=make_user("bob"), is_public=True)
    client = APIClient()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{API_URL}{song.pk}/").status_code == 404

    assert Path(song.audio.path).is_file()
