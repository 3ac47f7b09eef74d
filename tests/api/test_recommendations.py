"""Similar songs and recommendations through the API: items, reasons, privacy, cold start."""

from __future__ import annotations

import numpy as np
import pytest
from rest_framework.test import APIClient

from recommender.recommendations import COLD_START_EXPLANATION
from tests.factories import (
    make_analysed_song,
    make_serving_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cosine_only(settings) -> None:
    settings.RECOMMENDER_GENRE_WEIGHT = 0.0  # scores are the cosine similarities


def angle(degrees: float) -> np.ndarray:
    return unit_vector([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


@pytest.fixture
def version():
    return make_serving_version(class_names=["jazz", "rock"])


def test_similar_songs_come_with_scores_and_reasons(api: APIClient, user, version) -> None:
    seed = make_analysed_song(version=version, embedding=angle(0), title="Seed", owner=user)
    make_analysed_song(version=version, embedding=angle(30), title="Thirty")
    make_analysed_song(
        version=version, embedding=angle(10), title="Ten", probabilities={"rock": 1.0}
    )
    make_analysed_song(
        version=version, embedding=angle(5), title="Hidden", owner=make_user("bob")
    )  # bob's private song

    body = api.get(f"/api/songs/{seed.pk}/similar/").json()

    assert body["song"]["id"] == seed.pk
    assert [item["song"]["title"] for item in body["items"]] == ["Ten", "Thirty"]
    ten, thirty = body["items"]
    assert ten["similarity"] == pytest.approx(np.cos(np.radians(10)), abs=1e-4)
    assert ten["score"] == pytest.approx(ten["similarity"])
    assert (ten["genre"], ten["reason"], ten["match"]) == ("rock", "close in sound", "98 % match")
    assert (thirty["reason"], thirty["match"]) == ("both jazz", "87 % match")
    assert set(ten["song"]) == {
        "id", "url", "title", "artist", "duration", "source", "is_public", "is_mine",
    }  # fmt: skip


def test_similar_songs_take_a_limit_and_a_genre(api: APIClient, user, version) -> None:
    seed = make_analysed_song(version=version, embedding=angle(0), owner=user)
    for degrees in (10, 20, 30):
        make_analysed_song(version=version, embedding=angle(degrees), title=f"{degrees}")
    make_analysed_song(
        version=version, embedding=angle(40), title="Rock", probabilities={"rock": 1.0}
    )
    url = f"/api/songs/{seed.pk}/similar/"

    assert [i["song"]["title"] for i in api.get(url, {"limit": 2}).json()["items"]] == ["10", "20"]
    assert [i["song"]["title"] for i in api.get(url, {"genre": "rock"}).json()["items"]] == ["Rock"]
    refused = api.get(url, {"limit": 0})
    assert refused.status_code == 400
    assert refused.json()["errors"].keys() == {"limit"}


def test_a_song_not_analysed_yet_has_no_similar_songs(api: APIClient, user, version) -> None:
    song = make_song(owner=user)

    response = api.get(f"/api/songs/{song.pk}/similar/")

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_recommendations_start_cold_then_follow_likes(api: APIClient, user, version) -> None:
    liked = make_analysed_song(version=version, embedding=angle(0), title="Liked")
    make_analysed_song(version=version, embedding=angle(15), title="Near")
    make_analysed_song(version=version, embedding=angle(80), title="Far")

    cold = api.get("/api/recommendations/").json()
    assert (cold["cold_start"], cold["explanation"]) == (True, COLD_START_EXPLANATION)
    assert {item["reason"] for item in cold["items"]} == {"new in the library"}
    assert len(cold["items"]) == 3

    assert api.put(f"/api/songs/{liked.pk}/like/").status_code == 200
    warm = api.get("/api/recommendations/", {"limit": 1}).json()

    assert warm["cold_start"] is False
    assert warm["explanation"].startswith("From the 1 song you liked")
    [item] = warm["items"]
    assert (item["song"]["title"], item["reason"]) == (
        "Near",
        "because you liked Liked · both jazz",
    )
    assert item["similarity"] == pytest.approx(np.cos(np.radians(15)), abs=1e-4)


def test_recommendations_without_a_model(api: APIClient) -> None:
    body = api.get("/api/recommendations/").json()

    assert (body["cold_start"], body["items"]) == (True, [])
    assert "analysed" in body["explanation"]
