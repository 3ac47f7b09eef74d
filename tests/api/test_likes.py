"""Likes through the API: PUT and DELETE are idempotent; my likes list only what I may see."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from library.models import Like
from tests.factories import make_song, make_user

pytestmark = pytest.mark.django_db


def test_like_and_unlike_are_idempotent(api: APIClient, user) -> None:
    song = make_song(title="Shared", owner=make_user("bob"), is_public=True)
    Like.objects.create(user=make_user("carol"), song=song)
    url = f"/api/songs/{song.pk}/like/"

    first, again = api.put(url), api.put(url)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"song": song.pk, "liked": True, "like_count": 2}
    assert Like.objects.filter(user=user).count() == 1
    assert api.get(f"/api/songs/{song.pk}/").json()["liked_by_me"] is True

    unliked, again = api.delete(url), api.delete(url)

    assert unliked.json() == again.json() == {"song": song.pk, "liked": False, "like_count": 1}
    assert not Like.objects.filter(user=user).exists()


def test_my_likes_newest_first_without_songs_made_private_since(api: APIClient, user) -> None:
    dataset = make_song(title="Dataset song")
    shared = make_song(title="Shared, then private", owner=make_user("bob"), is_public=True)
    mine = make_song(title="Mine", owner=user)
    for song in (dataset, shared, mine):
        assert api.put(f"/api/songs/{song.pk}/like/").status_code == 200
    shared.is_public = False
    shared.save(update_fields=["is_public"])

    body = api.get("/api/likes/").json()

    assert body["count"] == 2
    assert [like["song"]["title"] for like in body["results"]] == ["Mine", "Dataset song"]
    assert body["results"][0]["song"]["is_mine"] is True
    assert body["results"][0]["liked_at"]


def test_likes_are_per_user(api: APIClient, user) -> None:
    song = make_song()
    Like.objects.create(user=make_user("bob"), song=song)

    assert api.get("/api/likes/").json()["count"] == 0
