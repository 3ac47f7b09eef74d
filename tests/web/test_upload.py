"""Uploads through the web form: what is stored, what is refused and why, and the limits.

No worker runs here: a stored song stays pending, and its analysis task is visible only as an
on-commit callback (the worker tests run the pipeline end to end).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client, RequestFactory
from mutagen.flac import FLAC

from library.models import Song
from library.services import UploadOutcome, songs_upload
from library.upload_limits import UploadLimitHandler, UploadRefused, upload_refusal
from tests.audio_factory import (
    empty_file,
    random_bytes,
    text_file,
    tone,
    truncated_wav,
    write_audio,
)
from tests.uploading import RATE, as_upload, media_files, wav_file

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/upload/"
API_URL = "/api/songs/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()  # the API's upload throttle counts in the default cache


@pytest.fixture
def client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_form_upload_stores_each_file_with_title_from_tags_or_name(
    client: Client, user, tmp_path: Path, django_capture_on_commit_callbacks: Callable
) -> None:
    named = wav_file(tmp_path / "Miles Davis - So What.wav", 440.0)
    plain = write_audio(tmp_path / "field_recording.flac", tone(seconds=4, sample_rate=RATE), RATE)
    tagged = write_audio(
        tmp_path / "track03.flac", tone(seconds=4, sample_rate=RATE, frequency=660.0), RATE
    )
    tags = FLAC(tagged)
    tags["title"], tags["artist"] = "Blue in Green", "Bill Evans"
    tags.save()

    with django_capture_on_commit_callbacks() as callbacks:
        files = [as_upload(p) for p in (named, plain, tagged)]
        response = client.post(UPLOAD_URL, {"files": files})

    assert response.status_code == 200
    assert response.content.count(b"Added as") == 3
    songs = {song.original_filename: song for song in Song.objects.filter(owner=user)}
    assert (
        songs["Miles Davis - So What.wav"].title,
        songs["Miles Davis - So What.wav"].artist,
    ) == (
        "So What",
        "Miles Davis",
    )
    assert (songs["field_recording.flac"].title, songs["field_recording.flac"].artist) == (
        "field recording",
        "",
    )
    assert (songs["track03.flac"].title, songs["track03.flac"].artist) == (
        "Blue in Green",
        "Bill Evans",
    )
    assert {song.audio_format for song in songs.values()} == {"wav", "flac"}
    for original, song in songs.items():
        assert song.status == Song.Status.PENDING
        assert song.size_bytes == (tmp_path / original).stat().st_size
        stored = Path(song.audio.path)
        assert stored.is_file() and Path(original).stem not in stored.name  # a generated name
    assert len(callbacks) == 3  # one analysis queued per new song, after commit
    # No model is active: the page says why the songs wait instead of a bare "Queued", in this
    # upload's results and in the recent uploads below them.
    assert response.content.count(b"Waiting for a genre model to be trained") == 6


def test_same_bytes_twice_is_one_song(
    client: Client, user, tmp_path: Path, django_capture_on_commit_callbacks: Callable
) -> None:
    path = wav_file(tmp_path / "take.wav")
    client.post(UPLOAD_URL, {"files": [as_upload(path)]})

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(UPLOAD_URL, {"files": [as_upload(path, "renamed copy.wav")]})

    assert response.status_code == 200
    assert b"Already in your library" in response.content
    assert Song.objects.filter(owner=user).count() == 1
    assert callbacks == []  # not processed again


@pytest.mark.parametrize(
    ("make", "name", "code", "says"),
    [
        (empty_file, "empty.wav", "empty", "The file is empty"),
        (text_file, "lyrics.mp3", "undecodable", "could not be read as audio"),
        (random_bytes, "noise.flac", "undecodable", "could not be read as audio"),
        (
            lambda p: truncated_wav(p, declared_seconds=10, kept_bytes=1000),
            "cut.wav",
            "too_short",
            "at least 3 s is needed",
        ),
    ],
)
def test_unusable_file_is_refused_and_leaves_nothing_behind(
    client: Client,
    user,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable,
    make: Callable[[Path], Path],
    name: str,
    code: str,
    says: str,
) -> None:
    bad = make(tmp_path / name)
    good = wav_file(tmp_path / "good.wav")
    before = media_files()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(UPLOAD_URL, {"files": [as_upload(bad), as_upload(good)]})

    assert response.status_code == 200
    refusal = response.content.decode().split("Refused: ", 1)[1].split("</td>", 1)[0]
    assert says in refusal
    assert list(Song.objects.filter(owner=user).values_list("original_filename", flat=True)) == [
        "good.wav"
    ]
    assert len(media_files() - before) == 1  # the good file only
    assert len(callbacks) == 1

    results = songs_upload(owner=user, files=[as_upload(bad)])
    assert [(r.outcome, r.error_code) for r in results] == [(UploadOutcome.REFUSED, code)]


def test_file_over_the_size_limit_is_413_and_nothing_is_stored(
    client: Client, user, tmp_path: Path, settings
) -> None:
    settings.MAX_UPLOAD_BYTES = 10 * 1024
    small = write_audio(tmp_path / "small.wav", tone(seconds=3, sample_rate=1000), 1000)
    big = wav_file(tmp_path / "big.wav")  # 64 KB
    before = media_files()

    response = client.post(UPLOAD_URL, {"files": [as_upload(small), as_upload(big)]})

    assert response.status_code == 413
    assert "“big.wav” is larger than the 10 KB limit" in response.content.decode()
    assert not Song.objects.exists()
    assert media_files() == before

    api = client.post(API_URL, {"files": [as_upload(big)]})
    assert api.status_code == 413
    assert api.json() == {
        "code": "too_large",
        "detail": "“big.wav” is larger than the 10 KB limit for one file.",
    }
    assert not Song.objects.exists()


def test_limit_handler_stops_reading_an_oversize_file(settings) -> None:
    settings.MAX_UPLOAD_BYTES = 100_000

    class Recorder(FileUploadHandler):
        received = 0

        def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
            Recorder.received += len(raw_data)

        def file_complete(self, file_size: int) -> None:
            return None

    data = {"files": SimpleUploadedFile("huge.wav", b"\0" * 5_000_000), "after": "x"}
    request = RequestFactory().post(UPLOAD_URL, data)
    request.upload_handlers = [UploadLimitHandler(request), Recorder(request)]

    assert request.FILES.getlist("files") == []
    assert Recorder.received <= 100_000  # what passes the limit handler; never the whole file
    refusal = upload_refusal(request)
    assert refusal is not None and refusal.status == 413


def test_more_files_than_allowed_is_refused_whole(client: Client, tmp_path: Path, settings) -> None:
    settings.MAX_FILES_PER_UPLOAD = 2
    paths = [wav_file(tmp_path / f"{n}.wav", 300.0 + n) for n in range(3)]
    files = [as_upload(p) for p in paths]

    response = client.post(UPLOAD_URL, {"files": files})

    assert response.status_code == 400
    assert "You can upload at most 2 files at a time; nothing was uploaded." in (
        response.content.decode()
    )
    assert not Song.objects.exists()
    api = client.post(API_URL, {"files": files})
    assert api.status_code == 400
    assert api.json()["code"] == "too_many_files"


def test_quota_refuses_the_file_that_does_not_fit_and_keeps_the_others(
    client: Client, user, tmp_path: Path, settings
) -> None:
    paths = [wav_file(tmp_path / f"song{n}.wav", 300.0 + 50 * n) for n in range(3)]
    size = paths[0].stat().st_size
    settings.USER_QUOTA_BYTES = 2 * size + 100

    response = client.post(UPLOAD_URL, {"files": [as_upload(p) for p in paths]})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Refused: “song2.wav” would take your library past its" in text
    assert set(Song.objects.values_list("original_filename", flat=True)) == {
        "song0.wav",
        "song1.wav",
    }
    # Bytes already in the library cost nothing, even at the quota.
    again = songs_upload(owner=user, files=[as_upload(paths[0])])
    assert again[0].outcome == UploadOutcome.EXISTING


def test_service_refuses_oversize_file_and_empty_request(user, settings) -> None:
    settings.MAX_UPLOAD_BYTES = 10
    results = songs_upload(owner=user, files=[SimpleUploadedFile("a.wav", b"x" * 11)])
    assert (results[0].outcome, results[0].error_code) == (UploadOutcome.REFUSED, "too_large")
    with pytest.raises(UploadRefused, match="Choose at least one audio file"):
        songs_upload(owner=user, files=[])


def test_original_file_name_is_shown_escaped(client: Client, tmp_path: Path) -> None:
    path = wav_file(tmp_path / "x.wav")
    name = "<b onmouseover=alert(1)>x.wav"

    response = client.post(UPLOAD_URL, {"files": [as_upload(path, name)]})

    assert b"<b onmouseover" not in response.content
    assert b"&lt;b onmouseover=alert(1)&gt;x.wav" in response.content
    song = Song.objects.get()
    assert song.original_filename == name
    detail = client.get(song.get_absolute_url())
    assert b"&lt;b onmouseover=alert(1)&gt;x.wav" in detail.content
    assert b"<b onmouseover" not in detail.content


def test_form_needs_a_csrf_token(user, tmp_path: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    path = wav_file(tmp_path / "a.wav")

    forged = client.post(UPLOAD_URL, {"files": [as_upload(path)]})
    assert forged.status_code == 403
    assert not Song.objects.exists()

    token = client.get(UPLOAD_URL).cookies["csrftoken"].value
    response = client.post(UPLOAD_URL, {"csrfmiddlewaretoken": token, "files": [as_upload(path)]})
    assert response.status_code == 200
    assert Song.objects.count() == 1


def test_upload_page_needs_login() -> None:
    response = Client().get(UPLOAD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
