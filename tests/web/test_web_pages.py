"""The web pages: who may see what, audio ranges, likes, sharing, the library, map and models."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_confusion_path
from library.models import Like, Song
from recommender.maps import pca_2d
from recommender.recommendations import COLD_START_EXPLANATION
from tests.factories import (
    make_analysed_song,
    make_genre,
    make_model_version,
    make_serving_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return make_user("ada")


@pytest.fixture
def bob():
    return make_user("bob")


def logged_in(user: Any, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def page_ids(response: Any) -> list[int]:
    return [song.pk for song in response.context["page"].object_list]


# --- who may see what ----------------------------------------------------------------------------


def test_every_page_asks_anonymous_visitors_to_log_in() -> None:
    song = make_song()
    urls = [
        reverse("web:home"),
        reverse("web:for_you"),
        reverse("web:genre_list"),
        reverse("web:genre_detail", args=["jazz"]),
        reverse("web:map"),
        reverse("web:map_points"),
        reverse("web:model_versions"),
        song.get_absolute_url(),
        reverse("web:song_audio", args=[song.pk]),
        reverse("web:song_spectrogram", args=[song.pk]),
    ]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    like = Client().post(reverse("web:song_like", args=[song.pk]))
    assert like.status_code == 302
    assert not Like.objects.exists()


def test_private_songs_are_their_owners_shared_and_dataset_songs_everyones(ada, bob) -> None:
    private = make_song(owner=ada, title="Demo tape")
    shared = make_song(owner=ada, title="Single", is_public=True)
    dataset = make_song(owner=None, title="So What")
    owner, other = logged_in(ada), logged_in(bob)

    for song in (private, shared, dataset):
        assert owner.get(song.get_absolute_url()).status_code == 200
    assert other.get(shared.get_absolute_url()).status_code == 200
    assert other.get(dataset.get_absolute_url()).status_code == 200
    for name in ("song_detail", "song_audio", "song_spectrogram"):
        assert other.get(reverse(f"web:{name}", args=[private.pk])).status_code == 404
    assert other.post(reverse("web:song_like", args=[private.pk])).status_code == 404
    assert not Like.objects.exists()
    assert set(page_ids(other.get("/"))) == {shared.pk, dataset.pk}

    page = owner.get(private.get_absolute_url()).content.decode()
    assert "Share to the library" in page
    assert "Edit title and artist" in page
    theirs = other.get(shared.get_absolute_url()).content.decode()
    assert "Make private" not in theirs
    assert "Edit title and artist" not in theirs


# --- audio ---------------------------------------------------------------------------------------


def test_audio_is_served_whole_or_by_range_to_those_who_may_see_it(ada, bob) -> None:
    content = bytes(range(256)) * 4  # 1,024 bytes
    song = make_song(owner=ada, content=content, audio_format="mp3", title="Take Five")
    url = reverse("web:song_audio", args=[song.pk])
    client = logged_in(ada)

    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "audio/mpeg"
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == "1024"
    assert b"".join(whole.streaming_content) == content
    assert "songs/" not in whole.get("Content-Disposition", "")  # never the stored name

    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 100-199/1024"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == content[100:200]

    opening = client.get(url, headers={"Range": "bytes=1000-"})
    assert opening["Content-Range"] == "bytes 1000-1023/1024"
    assert b"".join(opening.streaming_content) == content[1000:]
    suffix = client.get(url, headers={"Range": "bytes=-24"})
    assert suffix["Content-Range"] == "bytes 1000-1023/1024"
    past_end = client.get(url, headers={"Range": "bytes=5000-"})
    assert past_end.status_code == 416
    assert past_end["Content-Range"] == "bytes */1024"
    # A range of an older version of the file (If-Range does not match): the whole file.
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200

    stranger = logged_in(bob).get(url, headers={"Range": "bytes=0-9"})
    assert stranger.status_code == 404


# --- likes and sharing ---------------------------------------------------------------------------


def test_like_and_unlike_post_with_csrf_and_go_back(ada) -> None:
    song = make_song(owner=None, title="Blue in Green")
    like_url = reverse("web:song_like", args=[song.pk])
    unlike_url = reverse("web:song_unlike", args=[song.pk])
    client = logged_in(ada, enforce_csrf_checks=True)

    assert client.get(like_url).status_code == 405
    assert client.post(like_url).status_code == 403  # no CSRF token
    assert not Like.objects.exists()

    page = client.get(song.get_absolute_url())
    assert "data-like-form" in page.content.decode()
    token = client.cookies["csrftoken"].value
    liked = client.post(like_url, {"csrfmiddlewaretoken": token, "next": "/for-you/"})
    assert liked.status_code == 302
    assert liked["Location"] == "/for-you/"
    client.post(like_url, {"csrfmiddlewaretoken": token})  # again: still one like
    assert list(Like.objects.values_list("user__username", "song_id")) == [("ada", song.pk)]
    assert "♥ Liked" in client.get(song.get_absolute_url()).content.decode()

    elsewhere = client.post(
        unlike_url, {"csrfmiddlewaretoken": token, "next": "https://evil.example/"}
    )
    assert elsewhere["Location"] == song.get_absolute_url()  # never off the site
    assert not Like.objects.exists()

    as_json = client.post(
        like_url, {"csrfmiddlewaretoken": token}, headers={"Accept": "application/json"}
    )
    assert as_json.json() == {"id": song.pk, "liked": True}


def test_only_the_owner_shares_a_song(ada, bob) -> None:
    song = make_song(owner=ada)
    url = reverse("web:song_share", args=[song.pk])

    assert logged_in(ada).post(url, {"is_public": "1"}).status_code == 302
    song.refresh_from_db()
    assert song.is_public
    assert logged_in(bob).get(song.get_absolute_url()).status_code == 200

    assert logged_in(bob).post(url, {"is_public": "0"}).status_code == 404
    song.refresh_from_db()
    assert song.is_public
    logged_in(ada).post(url, {"is_public": "0"})
    song.refresh_from_db()
    assert not song.is_public
    assert logged_in(bob).get(song.get_absolute_url()).status_code == 404
    assert logged_in(ada).get(url).status_code == 405


# --- the library ---------------------------------------------------------------------------------


def test_library_searches_filters_and_sorts_visible_songs(ada, bob) -> None:
    version = make_serving_version(class_names=["jazz", "rock"])
    jazz = make_genre("jazz")
    so_what = make_analysed_song(
        version=version, embedding=unit_vector([1.0]), title="So What", artist="Miles Davis",
        genre=jazz, source=Song.Source.DATASET,
    )  # fmt: skip
    paranoid = make_analysed_song(
        version=version, embedding=unit_vector([0.0, 1.0]), probabilities={"rock": 0.9},
        owner=ada, title="Paranoid", artist="Black Sabbath",
    )  # fmt: skip
    demo = make_analysed_song(
        version=version, embedding=unit_vector([1.0, 1.0]), title="Neon Grid",
        artist="Timbre Machine Room", source=Song.Source.SYNTHETIC,
    )  # fmt: skip
    queued = make_song(owner=ada, title="Fresh Upload")
    make_song(owner=bob, title="Bob's Secret Davis Demo")
    client = logged_in(ada)

    assert page_ids(client.get("/", {"q": "davis"})) == [so_what.pk]
    assert page_ids(client.get("/", {"q": "miles so"})) == [so_what.pk]
    assert page_ids(client.get("/", {"genre": "rock"})) == [paranoid.pk]
    assert page_ids(client.get("/", {"label": "jazz"})) == [so_what.pk]
    assert page_ids(client.get("/", {"status": "pending"})) == [queued.pk]
    assert page_ids(client.get("/", {"sort": "title"})) == [
        queued.pk,
        demo.pk,
        paranoid.pk,
        so_what.pk,
    ]
    assert page_ids(client.get("/", {"sort": "artist"})) == [
        queued.pk,
        paranoid.pk,
        so_what.pk,
        demo.pk,
    ]
    # A value that is not a choice is ignored rather than an error.
    assert len(page_ids(client.get("/", {"genre": "polka", "sort": "random"}))) == 4

    text = client.get("/").content.decode()
    assert "badge-synthetic" in text
    assert "badge-private" in text
    assert f'data-song-status="{queued.pk}"' in text  # status.js keeps it up to date
    assert f'data-song-status="{so_what.pk}"' not in text  # not the user's song: nothing to poll
    assert "js/status.js" in text


def test_library_pages_keep_the_filters(ada) -> None:
    for n in range(30):
        make_song(owner=None, title=f"Etude {n:02d}", status=Song.Status.DONE)
    make_song(owner=None, title="Something else")
    client = logged_in(ada)

    first = client.get("/", {"q": "etude", "sort": "title"})
    assert len(page_ids(first)) == 25
    assert "?q=etude&amp;sort=title&amp;page=2" in first.content.decode()
    second = client.get("/", {"q": "etude", "sort": "title", "page": 2})
    assert [song.title for song in second.context["page"].object_list] == [
        f"Etude {n}" for n in range(25, 30)
    ]


# --- song page, for you, genres ------------------------------------------------------------------


def test_song_page_shows_genres_tags_and_similar_songs_with_reasons(ada, settings) -> None:
    settings.RECOMMENDER_GENRE_WEIGHT = 0.0
    version = make_serving_version(class_names=["jazz", "rock"])
    seed = make_analysed_song(
        version=version, embedding=unit_vector([1.0, 0.0]), title="So What",
        probabilities={"jazz": 0.8, "rock": 0.2},
    )  # fmt: skip
    tags = {f"tag{n}": n / 100 for n in range(20)}
    Analysis.objects.filter(song=seed).update(tags=tags)
    make_analysed_song(version=version, embedding=unit_vector([1.0, 0.2]), title="Freddie")
    make_analysed_song(
        version=version, embedding=unit_vector([0.0, 1.0]), probabilities={"rock": 1.0},
        title="Paranoid",
    )  # fmt: skip

    response = logged_in(ada).get(seed.get_absolute_url())

    profile = response.context["profile"]
    assert [(s.name, s.percent) for s in profile.genres] == [("jazz", 80.0), ("rock", 20.0)]
    # The same ten highest tags as the API lists.
    assert [s.name for s in profile.tags] == [f"tag{n}" for n in range(19, 9, -1)]
    text = response.content.decode()
    # The page is about So What: the reason says what they share, the score is the order.
    assert "both jazz" in text and "similar to So What" not in text
    assert "98 % match" in text
    assert text.index("Freddie") < text.index("Paranoid")
    assert reverse("web:song_audio", args=[seed.pk]) in text
    assert reverse("web:song_spectrogram", args=[seed.pk]) in text


def test_for_you_starts_cold_then_follows_likes(ada) -> None:
    version = make_serving_version()
    liked = make_analysed_song(version=version, embedding=unit_vector([1.0, 0.0]), title="Liked")
    make_analysed_song(version=version, embedding=unit_vector([1.0, 0.2]), title="Close")
    client = logged_in(ada)

    cold = client.get("/for-you/").content.decode()
    assert COLD_START_EXPLANATION in cold
    assert "You have not liked or played any songs yet" in cold

    Like.objects.create(user=ada, song=liked)
    warm = client.get("/for-you/").content.decode()
    assert "because you liked Liked" in warm
    assert "You have not liked any songs yet" not in warm


def test_genre_pages_count_and_list_visible_songs(ada, bob) -> None:
    version = make_serving_version(class_names=["jazz", "rock"])
    mine = make_analysed_song(version=version, embedding=unit_vector([1.0]), owner=ada)
    make_analysed_song(version=version, embedding=unit_vector([1.0]), owner=bob)  # private
    public = make_analysed_song(version=version, embedding=unit_vector([1.0]))
    client = logged_in(ada)

    genres = client.get("/genres/").context["genres"]
    assert [(g.name, g.count) for g in genres] == [("jazz", 2), ("rock", 0)]
    jazz = client.get("/genres/jazz/")
    assert {a.song.pk for a in jazz.context["page"].object_list} == {mine.pk, public.pk}
    assert client.get("/genres/rock/").status_code == 200
    assert client.get("/genres/polka/").status_code == 404


def test_page_queries_do_not_grow_with_the_songs_shown(ada) -> None:
    version = make_serving_version()
    rng = np.random.default_rng(3)

    def add_songs(count: int) -> Song:
        songs = [
            make_analysed_song(
                version=version,
                embedding=unit_vector(rng.normal(size=8)),
                owner=owner,
                source=Song.Source.SYNTHETIC,
                genre=make_genre("jazz"),
            )
            for owner in [None, ada] * (count // 2)
        ]
        Like.objects.get_or_create(user=ada, song=songs[0])
        return songs[0]

    def queries(url: str) -> int:
        client = logged_in(ada)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    song = add_songs(4)
    urls = [
        "/",
        song.get_absolute_url(),
        "/for-you/",
        "/genres/",
        "/genres/jazz/",
        "/map/points.json",
    ]
    few = [queries(url) for url in urls]
    add_songs(30)
    assert [queries(url) for url in urls] == few


# --- the map -------------------------------------------------------------------------------------


def test_map_points_are_the_visible_songs_of_the_serving_version(ada, bob) -> None:
    old = make_model_version(name="old")
    version = make_serving_version()
    rng = np.random.default_rng(7)
    visible = [
        make_analysed_song(version=version, embedding=unit_vector(rng.normal(size=8)), owner=owner)
        for owner in (None, None, ada, None)
    ]
    make_analysed_song(version=version, embedding=unit_vector(rng.normal(size=8)), owner=bob)
    make_analysed_song(version=old, embedding=unit_vector(rng.normal(size=8)))  # other version

    body = logged_in(ada).get("/map/points.json").json()

    assert body["version"] == version.name
    assert {point["id"] for point in body["points"]} == {song.pk for song in visible}
    first = body["points"][0]
    assert set(first) == {"id", "title", "artist", "genre", "x", "y", "url"}
    assert first["url"] == reverse("web:song_detail", args=[first["id"]])
    assert all(isinstance(p["x"], float) and isinstance(p["y"], float) for p in body["points"])
    assert logged_in(ada).get("/map/points.json").json() == body  # same picture every time


def test_pca_keeps_the_widest_spread_with_a_fixed_sign() -> None:
    rng = np.random.default_rng(0)
    wide, narrow = rng.normal(scale=10.0, size=50), rng.normal(scale=1.0, size=50)
    wide, narrow = wide - wide.mean(), narrow - narrow.mean()
    narrow -= (wide @ narrow) / (wide @ wide) * wide  # uncorrelated: the axes are the components
    data = np.zeros((50, 5))
    data[:, 2], data[:, 4] = wide + 3.0, narrow - 1.0

    points = pca_2d(data)
    flipped = pca_2d(-data)

    assert points.shape == (50, 2)
    np.testing.assert_allclose(points[:, 0], wide, atol=1e-9)  # largest loading (+1) positive
    np.testing.assert_allclose(points[:, 1], narrow, atol=1e-9)
    np.testing.assert_allclose(flipped, -points, atol=1e-9)  # loadings' sign is fixed, not data's
    assert pca_2d(np.ones((1, 5))).tolist() == [[0.0, 0.0]]


# --- spectrogram ---------------------------------------------------------------------------------


def test_spectrogram_is_drawn_once_then_served_from_the_cache(ada, settings, monkeypatch) -> None:
    make_serving_version()
    rate = 16000
    t = np.arange(4 * rate) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 2 * t))).astype("f4")
    wav = io.BytesIO()
    sf.write(wav, samples, rate, format="WAV")
    song = make_song(owner=ada, content=wav.getvalue(), audio_format="wav")
    url = reverse("web:song_spectrogram", args=[song.pk])

    drawn = logged_in(ada).get(url)

    assert drawn.status_code == 200
    assert drawn["Content-Type"] == "image/png"
    assert b"".join(drawn.streaming_content).startswith(b"\x89PNG")
    cached = Path(settings.CACHE_DIR) / "spectrograms" / f"{song.sha256}-musicnn.png"
    assert cached.is_file()
    broken = make_song(owner=ada, content=b"not audio at all")
    broken_url = reverse("web:song_spectrogram", args=[broken.pk])
    assert logged_in(ada).get(broken_url).status_code == 404

    monkeypatch.setattr("audio.decode.load_audio", pytest.fail)  # must not decode again
    assert logged_in(ada).get(url).status_code == 200


# --- models (staff) ------------------------------------------------------------------------------


def test_models_page_is_for_staff_who_can_switch_the_active_version(ada, settings) -> None:
    current = make_serving_version(name="current")
    current.metrics = {"track_accuracy": 0.875, "segment_accuracy": 0.8, "macro_f1": 0.86}
    current.training = {"split_sizes": {"train": 34, "validation": 7, "test": 7}}
    current.save()
    candidate = make_model_version(name="candidate")
    confusion = model_version_confusion_path(version=candidate)
    confusion.parent.mkdir(parents=True, exist_ok=True)
    confusion.write_bytes(b"\x89PNG fake")
    staff = make_user("root")
    staff.is_staff = True
    staff.save()
    activate_url = reverse("web:model_version_activate", args=[candidate.pk])
    confusion_url = reverse("web:model_version_confusion", args=[candidate.pk])

    user = logged_in(ada)
    assert user.get("/models/").status_code == 404
    assert user.get(confusion_url).status_code == 404
    assert user.post(activate_url).status_code == 404
    assert "/models/" not in user.get("/").content.decode()  # no menu entry either

    admin = logged_in(staff)
    page = admin.get("/models/").content.decode()
    assert "0.875" in page and "held-out test songs" in page  # trained before CV
    assert "badge-serving" in page
    assert admin.get(confusion_url)["Content-Type"] == "image/png"
    assert admin.get(activate_url).status_code == 405

    assert admin.post(activate_url).status_code == 302
    assert ModelVersion.objects.get(is_active=True) == candidate


def test_confusion_picture_name_matches_the_trainer() -> None:
    from classifier.artifacts import CONFUSION_FILENAME

    version = make_model_version()
    assert model_version_confusion_path(version=version).name == CONFUSION_FILENAME
