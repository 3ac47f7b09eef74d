"""One rule for the genre a song shows, the same on every page and in the API.

While a newly activated model re-analyses the library, songs keep the genre of the model that
serves recommendations, and a song only the new model has heard (a fresh upload) shows the new
model's genre: on the library page, the song page, the upload status poll and the API alike.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from classifier.models import ModelVersion
from tests.factories import (
    make_analysed_song,
    make_analysis,
    make_model_version,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reanalysing() -> tuple[ModelVersion, ModelVersion]:
    """`old` served the whole library; `new` is active and has not heard every song yet."""
    old = make_model_version(name="old", class_names=["jazz", "rock"])
    ModelVersion.objects.filter(pk=old.pk).update(
        activated_at=timezone.now(), library_covered_at=timezone.now()
    )
    new = make_model_version(name="new", class_names=["jazz", "rock"], is_active=True)
    ModelVersion.objects.filter(pk=new.pk).update(activated_at=timezone.now())
    return ModelVersion.objects.get(pk=old.pk), ModelVersion.objects.get(pk=new.pk)


def test_every_view_shows_the_same_genre_during_a_reanalysis(reanalysing) -> None:
    old, new = reanalysing
    ada = make_user("ada")
    heard_by_both = make_analysed_song(
        version=old, embedding=unit_vector([1.0]), probabilities={"jazz": 1.0}, owner=ada
    )
    make_analysis(
        song=heard_by_both, model_version=new, embedding=unit_vector([1.0]), predicted_genre="rock"
    )
    fresh_upload = make_analysed_song(
        version=new, embedding=unit_vector([0.0, 1.0]), probabilities={"rock": 1.0}, owner=ada
    )
    web, api = Client(), APIClient()
    web.force_login(ada)
    api.force_login(ada)

    expected = {heard_by_both.pk: "jazz", fresh_upload.pk: "rock"}  # old model's, then new's
    library = web.get("/").context["page"].object_list
    assert {song.pk: song.predicted_genre for song in library if song.pk in expected} == expected
    listed = api.get("/api/songs/", {"mine": "true"}).json()["results"]
    assert {item["id"]: item["predicted_genre"] for item in listed} == expected
    for song_id, genre in expected.items():
        assert api.get(f"/api/songs/{song_id}/").json()["predicted_genre"] == genre
        assert api.get(f"/api/songs/{song_id}/").json()["analysis"]["predicted_genre"] == genre
        assert web.get(f"/songs/{song_id}/").context["profile"].predicted_genre == genre
    polled = web.get("/songs/status/", {"ids": f"{heard_by_both.pk},{fresh_upload.pk}"}).json()
    assert {item["id"]: item["predicted_genre"] for item in polled} == expected
