"""Unsure and not-music analyses: what pages and the API show, and what is never recommended."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client
from rest_framework.test import APIClient

from classifier.models import Analysis
from library.models import Song
from recommender.recommendations import song_list_similar
from tests.factories import make_analysed_song, make_serving_version, make_user

pytestmark = pytest.mark.django_db


def _unit(*values: float) -> np.ndarray:
    vector = np.zeros(128, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def _flag(song: Song, **fields: object) -> None:
    Analysis.objects.filter(song=song).update(**fields)


def test_not_music_is_never_a_similar_song() -> None:
    version = make_serving_version(class_names=["jazz", "rock"])
    seed = make_analysed_song(version=version, embedding=_unit(1, 0), title="seed")
    make_analysed_song(version=version, embedding=_unit(1, 0.1), title="audiobook")
    make_analysed_song(version=version, embedding=_unit(1, 0.3), title="tune")
    _flag(Song.objects.get(title="audiobook"), is_not_music=True, music_score=0.7)

    titles = [item.song.title for item in song_list_similar(song=seed, user=None)]

    assert titles == ["tune"]


def test_song_page_and_api_show_unsure_with_two_guesses_and_not_music() -> None:
    version = make_serving_version(class_names=["jazz", "rock"])
    torn = make_analysed_song(
        version=version, embedding=_unit(1, 0), title="torn",
        probabilities={"jazz": 0.52, "rock": 0.48},
    )  # fmt: skip
    noise = make_analysed_song(version=version, embedding=_unit(0, 1), title="noise")
    _flag(torn, is_unsure=True)
    _flag(noise, is_not_music=True)
    client = Client()
    client.force_login(make_user())

    page = client.get(f"/songs/{torn.pk}/").content.decode()
    assert 'id="unsure"' in page
    assert "jazz 52.0 % or rock 48.0 %" in page
    assert 'id="not-music"' in client.get(f"/songs/{noise.pk}/").content.decode()

    api = APIClient()
    api.force_login(make_user())
    analysis = api.get(f"/api/songs/{torn.pk}/").json()["analysis"]
    assert (analysis["is_unsure"], analysis["is_not_music"]) == (True, False)
