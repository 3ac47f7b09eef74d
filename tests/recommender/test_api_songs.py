"""The songs API: upload (multipart, `files` repeated) and detail, for owners only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from recommender.api.views import UploadRateThrottle
from recommender.models import Song
from tests.classifier.audio_factory import text_file
from tests.factories import make_user
from tests.recommender.uploading import as_upload, wav_file

pytestmark = pytest.mark.django_db

API_URL = "/api/songs/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()  # the upload throttle counts in the default cache


@pytest.fixture
def user():
    return make_user("ada")


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


def test_api_uploads_are_throttled(client: Client, tmp_path: Path, monkeypatch) -> None:
    # DRF reads the rates once at import; UPLOAD_THROTTLE sets them in production.
    monkeypatch.setattr(UploadRateThrottle, "THROTTLE_RATES", {"uploads": "1/hour"})
    path = wav_file(tmp_path / "a.wav")

    assert client.post(API_URL, {"files": [as_upload(path)]}).status_code == 201
    throttled = client.post(API_URL, {"files": [as_upload(path)]})

    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"]
