"""Regression tests for the failures an outside audit found (issue 10), against the real servers.

Each test here failed on the code the audit ran: a log-in throttle escaped by rewriting the
username, a 500 from an absurd Range header, unthrottled web uploads, a lost file that could not
be repaired, and a /healthz that said "ok" while beat was dead. Redis being stopped is in
tests/test_faults.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from classifier.heartbeats import worker_heartbeat_record
from classifier.models import WorkerHeartbeat
from classifier.pipeline import SWEEP_HEARTBEAT_NAME, songs_sweep
from library.models import Song
from library.services.throttles import username_normalise
from tests.factories import make_song, make_user
from tests.uploading import as_upload, wav_file

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()  # the throttles count in the default cache (Redis)


# --- 1. the log-in throttle keys on the account, however its name is written --------------------

CAROL_SPELLINGS = ["carol ", "\tcarol", "ｃａｒｏｌ", "carol\xa0", "CAROL", " Carol\n"]


@pytest.mark.parametrize("spelling", CAROL_SPELLINGS)
def test_username_spellings_name_one_account(spelling: str) -> None:
    assert username_normalise(spelling) == "carol"


def post_login(username: str, password: str, address: str = "10.1.0.1") -> int:
    data = {"username": username, "password": password}
    return Client().post(LOGIN_URL, data, REMOTE_ADDR=address).status_code


def test_rewritten_usernames_share_the_failure_count(settings) -> None:
    settings.LOGIN_THROTTLE = "3/minute"
    make_user("carol", password=PASSWORD)
    for _ in range(3):
        assert post_login("carol", "guess") == 200

    # The audit's bypass: each spelling used to get fresh guesses, then the password logged in.
    for spelling in CAROL_SPELLINGS:
        assert post_login(spelling, "guess") == 429, repr(spelling)
    assert post_login("ｃａｒｏｌ", PASSWORD) == 429
    assert post_login("carol", PASSWORD, address="10.1.0.2") == 302  # not locked out elsewhere


def test_one_address_guessing_many_accounts_is_refused(settings) -> None:
    settings.LOGIN_THROTTLE = "3/minute"
    settings.LOGIN_ADDRESS_THROTTLE = "5/minute"
    make_user("dave", password=PASSWORD)
    for n in range(5):
        assert post_login(f"someone{n}", "guess") == 200

    assert post_login("dave", PASSWORD) == 429
    assert post_login("dave", PASSWORD, address="10.1.0.9") == 302


def test_api_token_requests_share_the_web_failure_count(settings) -> None:
    settings.LOGIN_THROTTLE = "2/minute"
    make_user("erin", password=PASSWORD)
    client = APIClient(REMOTE_ADDR="10.1.0.3")
    for spelling in ("erin", " ERIN"):
        assert client.post(TOKEN_URL, {"username": spelling, "password": "x"}).status_code == 400

    refused = client.post(TOKEN_URL, {"username": "ｅｒｉｎ", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert post_login("erin", PASSWORD, address="10.1.0.3") == 429  # and on the web form


# --- 2. any Range header gets 206, 416 or the whole file, never a 500 ----------------------------

HUGE = "9" * 4301  # past Python's integer-string limit


@pytest.mark.parametrize(
    ("header", "status", "content_range"),
    [
        (f"bytes=0-{HUGE}", 206, "bytes 0-1023/1024"),  # "to the end", however far
        (f"bytes={HUGE}-", 416, "bytes */1024"),
        (f"bytes=-{HUGE}", 206, "bytes 0-1023/1024"),  # a suffix longer than the file
        (f"bytes={HUGE}-{HUGE}", 416, "bytes */1024"),
        ("bytes=٠-٩", 200, None),  # Arabic-Indic digits are not digits here: ignored
        ("bytes=00000000000000000000000000100-199", 206, "bytes 100-199/1024"),
        ("bytes=abc", 200, None),
        ("bytes=5-1", 200, None),
        ("bytes=0-1,5-9", 200, None),
    ],
)
def test_absurd_or_unparseable_ranges_never_fail(
    header: str, status: int, content_range: str | None
) -> None:
    owner = make_user()
    song = make_song(owner=owner, content=bytes(range(256)) * 4, audio_format="mp3")
    client = Client()
    client.force_login(owner)

    response = client.get(reverse("web:song_audio", args=[song.pk]), HTTP_RANGE=header)

    assert response.status_code == status
    assert response.get("Content-Range") == content_range


# --- 5. one upload limit for the web form and the API, in files and bytes -----------------------


def test_web_and_api_uploads_share_one_limit_counted_in_files(
    user, settings, tmp_path: Path
) -> None:
    settings.UPLOAD_THROTTLE = "3/hour"
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_login(user)
    files = [wav_file(tmp_path / f"{n}.wav", 300.0 + 10 * n) for n in range(4)]

    two = web.post("/upload/", {"files": [as_upload(files[0]), as_upload(files[1])]})
    assert two.status_code == 200
    too_many = api.post("/api/songs/", {"files": [as_upload(files[2]), as_upload(files[3])]})
    assert too_many.status_code == 429
    assert too_many.json()["code"] == "throttled"
    assert too_many["Retry-After"] == "3600"
    one = api.post("/api/songs/", {"files": [as_upload(files[2])]})  # what is left still fits
    assert one.status_code == 201
    refused = web.post("/upload/", {"files": [as_upload(files[3])]})
    assert refused.status_code == 429
    assert "nothing was uploaded" in refused.content.decode()
    assert Song.objects.count() == 3


def test_uploads_are_also_limited_in_bytes(user, settings, tmp_path: Path) -> None:
    settings.UPLOAD_THROTTLE_BYTES = 100 * 1024  # each test file is 64 KB
    client = Client()
    client.force_login(user)

    first = client.post("/upload/", {"files": [as_upload(wav_file(tmp_path / "a.wav"))]})
    assert first.status_code == 200
    second = client.post("/upload/", {"files": [as_upload(wav_file(tmp_path / "b.wav", 500.0))]})

    assert second.status_code == 429
    assert Song.objects.count() == 1


# --- 6. re-uploading the same bytes restores a lost file ----------------------------------------


def test_reupload_restores_a_missing_file_and_the_page_says_it_was_missing(
    user, tmp_path: Path, django_capture_on_commit_callbacks: Callable
) -> None:
    client = Client()
    client.force_login(user)
    path = wav_file(tmp_path / "lost.wav")
    client.post("/upload/", {"files": [as_upload(path)]})
    song = Song.objects.get()
    song.audio.storage.delete(song.audio.name)  # the file vanished from MEDIA_ROOT
    audio_url = reverse("web:song_audio", args=[song.pk])
    assert client.get(audio_url).status_code == 404
    page = client.get(song.get_absolute_url()).content.decode()
    assert "audio file is missing" in page
    assert "Upload the same file again" in page

    api = APIClient()
    api.force_login(user)
    with django_capture_on_commit_callbacks():
        response = api.post("/api/songs/", {"files": [as_upload(path)]})

    assert response.status_code == 200
    assert response.json()["results"][0]["outcome"] == "restored"
    served = client.get(audio_url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == path.read_bytes()
    assert "audio file is missing" not in client.get(song.get_absolute_url()).content.decode()
    assert Song.objects.count() == 1
    # Again: the file is there now, so it is simply "existing".
    again = api.post("/api/songs/", {"files": [as_upload(path)]})
    assert again.json()["results"][0]["outcome"] == "existing"


# --- 7. /healthz reports a dead beat -----------------------------------------------------------


def _age(hostname: str, seconds: float) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now() - timedelta(seconds=seconds)}
    )


def test_healthz_is_degraded_when_the_heartbeat_is_old(settings) -> None:
    settings.HEALTH_HEARTBEAT_MAX_AGE = 60
    _age("worker@host", 447)

    response = Client().get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert "heartbeat 447 s ago" in body["reason"]
    assert body["beat"]["ok"] is False


def test_healthz_is_degraded_when_the_sweep_is_old(settings) -> None:
    settings.HEALTH_SWEEP_MAX_AGE = 180
    worker_heartbeat_record(hostname="worker@host")
    _age(SWEEP_HEARTBEAT_NAME, 400)

    body = Client().get("/healthz").json()

    assert body["status"] == "degraded"
    assert "last sweep 400 s ago" in body["reason"]
    assert body["worker"]["last_seen_seconds"] < 5  # the sweeper's record is not a worker's


def test_a_sweep_makes_healthz_ok_again(settings) -> None:
    worker_heartbeat_record(hostname="worker@host")
    _age(SWEEP_HEARTBEAT_NAME, 400)

    songs_sweep()

    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["beat"]["last_sweep_seconds"] < 5
