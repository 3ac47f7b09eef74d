"""Who may do what through the API: anonymous, the owner, another user, staff, on every endpoint.

A song is private (its owner's upload), shared (an upload its owner made public) or the dataset's
(no owner). Others' private songs do not exist for a user (404, never 403: ids reveal nothing);
shared and dataset songs may be read and liked by everyone, changed by their owner only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from classifier.models import ModelVersion
from library.models import Song
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other", "staff", "owner")  # the owner last: its DELETE removes the song


@dataclass
class World:
    users: dict[str, AbstractBaseUser | None]
    songs: dict[str, Song]
    version: ModelVersion


@pytest.fixture
def world() -> World:
    owner = make_user("owner")
    staff = make_user("staff")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    version = make_serving_version()
    songs = {
        "private": make_analysed_song(version=version, embedding=unit_vector([1, 0]), owner=owner),
        "shared": make_analysed_song(
            version=version, embedding=unit_vector([1, 1]), owner=owner, is_public=True
        ),
        "dataset": make_analysed_song(
            version=version, embedding=unit_vector([0, 1]), source=Song.Source.DATASET
        ),
    }
    users = {"anonymous": None, "other": make_user("other"), "staff": staff, "owner": owner}
    return World(users=users, songs=songs, version=version)


def client_for(user: AbstractBaseUser | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


READ = {"anonymous": 401, "other": 200, "staff": 200, "owner": 200}
OWN_ONLY = {"anonymous": 401, "other": 404, "staff": 404, "owner": 200}
NOBODY = {"anonymous": 401, "other": 404, "staff": 404, "owner": 404}

# (method, path with {song} / {version}, song kind, {role: status})
MATRIX = [
    ("get", "/api/songs/", None, READ),
    ("get", "/api/likes/", None, READ),
    ("get", "/api/recommendations/", None, READ),
    ("get", "/api/models/", None, READ),
    ("get", "/api/models/{version}/", None, READ),
    ("get", "/api/songs/{song}/", "private", OWN_ONLY),
    ("get", "/api/songs/{song}/", "shared", READ),
    ("get", "/api/songs/{song}/", "dataset", READ),
    ("get", "/api/songs/{song}/similar/", "private", OWN_ONLY),
    ("get", "/api/songs/{song}/similar/", "shared", READ),
    ("get", "/api/songs/{song}/similar/", "dataset", READ),
    ("put", "/api/songs/{song}/like/", "private", OWN_ONLY),
    ("put", "/api/songs/{song}/like/", "shared", READ),
    ("put", "/api/songs/{song}/like/", "dataset", READ),
    ("delete", "/api/songs/{song}/like/", "private", OWN_ONLY),
    ("delete", "/api/songs/{song}/like/", "shared", READ),
    ("patch", "/api/songs/{song}/", "private", OWN_ONLY),
    ("patch", "/api/songs/{song}/", "shared", OWN_ONLY),
    ("patch", "/api/songs/{song}/", "dataset", NOBODY),
    ("delete", "/api/songs/{song}/", "private", {**OWN_ONLY, "owner": 204}),
    ("delete", "/api/songs/{song}/", "shared", {**OWN_ONLY, "owner": 204}),
    ("delete", "/api/songs/{song}/", "dataset", NOBODY),
]


@pytest.mark.parametrize(
    ("method", "path", "kind", "expected"),
    MATRIX,
    ids=[f"{m.upper()} {p} {k or ''}".strip() for m, p, k, _ in MATRIX],
)
def test_permission_matrix(
    world: World, method: str, path: str, kind: str | None, expected: dict[str, int]
) -> None:
    song_id = world.songs[kind].pk if kind else 0
    url = path.format(song=song_id, version=world.version.pk)
    body = {"title": "Renamed"} if method == "patch" else None
    got = {}
    for role in ROLES:
        response = getattr(client_for(world.users[role]), method)(url, body, format="json")
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) >= {"code", "detail"}, response.json()
    assert got == expected
    if kind and expected["owner"] == 204:
        assert not Song.objects.filter(pk=song_id).exists()
    elif kind:
        assert Song.objects.filter(pk=song_id).exists()


def test_anonymous_gets_401_with_the_token_challenge(world: World) -> None:
    response = APIClient().get("/api/songs/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_a_private_song_is_not_found_for_others_with_the_same_body_as_a_missing_one(
    world: World,
) -> None:
    client = client_for(world.users["other"])

    private = client.get(f"/api/songs/{world.songs['private'].pk}/")
    missing = client.get("/api/songs/999999/")

    assert private.status_code == missing.status_code == 404
    assert private.json() == missing.json() == {"code": "not_found", "detail": "No such song."}


def test_only_the_owner_may_edit_a_shared_song(world: World) -> None:
    shared = world.songs["shared"]

    refused = client_for(world.users["other"]).patch(
        f"/api/songs/{shared.pk}/", {"is_public": False}, format="json"
    )

    assert refused.status_code == 404
    assert refused.json()["detail"] == "No such song among yours."
    shared.refresh_from_db()
    assert shared.is_public


def test_lists_hold_only_what_the_user_may_see(world: World) -> None:
    def ids(role: str) -> set[int]:
        return {
            item["id"] for item in client_for(world.users[role]).get("/api/songs/").data["results"]
        }

    everyone = {world.songs["shared"].pk, world.songs["dataset"].pk}
    assert ids("owner") == everyone | {world.songs["private"].pk}
    assert ids("other") == everyone
    assert ids("staff") == everyone  # staff read models' details, not users' private songs
