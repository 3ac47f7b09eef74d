"""Radio, mixes, paths, plays, "not for me" and playlists through the API."""

from __future__ import annotations

from xml.etree import ElementTree

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from library.models import Dislike, Play, Playlist
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector

pytestmark = pytest.mark.django_db


def angle(degrees: float) -> np.ndarray:
    return unit_vector([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


@pytest.fixture
def songs():
    version = make_serving_version(class_names=["jazz", "rock"])
    return [
        make_analysed_song(
            version=version, embedding=angle(d), title=f"{d}°", artist=f"A{d % 3}",
            duration=180.0, original_filename=f"song-{d}.mp3",
        )
        for d in range(0, 100, 10)
    ]  # fmt: skip


def test_radio_continues_without_repeats(api: APIClient, songs) -> None:
    first = api.post("/api/radio/", {"seed": songs[0].pk, "count": 3}, format="json")
    assert first.status_code == 200
    picked = [item["song"]["id"] for item in first.json()["items"]]
    assert len(picked) == 3
    item = first.json()["items"][0]
    assert item["match"].endswith("% match")
    assert item["reason"].startswith("after 0°")

    more = api.post(
        "/api/radio/",
        {"seed": songs[0].pk, "history": picked, "skipped": picked[:1], "count": 3},
        format="json",
    ).json()["items"]
    assert not {item["song"]["id"] for item in more} & {songs[0].pk, *picked}

    hidden = make_analysed_song(
        version=songs[0].analyses.get().model_version, embedding=angle(1), owner=make_user()
    )
    assert api.post("/api/radio/", {"seed": hidden.pk}, format="json").status_code == 404


def test_a_mix_names_each_seed(api: APIClient, songs) -> None:
    body = api.post(
        "/api/mixes/", {"seeds": [songs[0].pk, songs[9].pk], "limit": 4}, format="json"
    ).json()
    assert [seed["id"] for seed in body["seeds"]] == [songs[0].pk, songs[9].pk]
    assert {item["seed"]["id"] for item in body["items"]} == {songs[0].pk, songs[9].pk}
    assert api.post("/api/mixes/", {"seeds": []}, format="json").status_code == 400


def test_a_path_has_both_ends_and_each_step_similarity(api: APIClient, songs) -> None:
    body = api.get("/api/path/", {"start": songs[0].pk, "end": songs[9].pk, "steps": 3}).json()
    steps = body["steps"]
    assert [steps[0]["song"]["id"], steps[-1]["song"]["id"]] == [songs[0].pk, songs[9].pk]
    assert len(steps) == 4
    assert steps[0]["similarity"] is None
    assert all(step["similarity"] > 0.5 for step in steps[1:])


def test_plays_are_recorded_and_early_ones_are_skips(api: APIClient, user, songs) -> None:
    played = api.post(
        "/api/plays/", {"song": songs[1].pk, "seconds_played": 12, "context": "radio"},
        format="json",
    )  # fmt: skip
    assert played.status_code == 201
    assert (played.json()["skipped"], played.json()["context"]) == (True, "radio")
    api.post("/api/plays/", {"song": songs[2].pk, "seconds_played": 170}, format="json")

    listed = api.get("/api/plays/").json()["results"]
    assert [(p["song"]["id"], p["skipped"]) for p in listed] == [
        (songs[2].pk, False),
        (songs[1].pk, True),
    ]
    assert Play.objects.filter(user=user).count() == 2


def test_not_for_me_is_visible_and_undoable(api: APIClient, user, songs) -> None:
    api.put(f"/api/songs/{songs[0].pk}/like/")
    answer = api.put(f"/api/songs/{songs[0].pk}/dislike/")
    assert answer.json() == {"song": songs[0].pk, "disliked": True}
    assert not user.likes.exists()  # not for me is not a like
    assert [d["song"]["id"] for d in api.get("/api/dislikes/").json()["results"]] == [songs[0].pk]

    assert api.delete(f"/api/songs/{songs[0].pk}/dislike/").json()["disliked"] is False
    assert not Dislike.objects.exists()


def test_playlists_save_edit_share_export_and_import(api: APIClient, user, songs) -> None:
    created = api.post(
        "/api/playlists/",
        {"name": "  Road  trip ", "songs": [songs[2].pk, songs[0].pk, songs[1].pk],
         "kind": "radio"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201
    playlist = created.json()
    assert (playlist["name"], playlist["kind"], playlist["song_count"]) == ("Road trip", "radio", 3)
    url = f"/api/playlists/{playlist['id']}/"

    reordered = api.put(url + "songs/", {"songs": [songs[0].pk, songs[2].pk]}, format="json")
    assert [i["song"]["id"] for i in reordered.json()["items"]] == [songs[0].pk, songs[2].pk]
    assert api.put(url + "songs/", {"songs": [songs[5].pk]}, format="json").status_code == 400
    api.post(url + "songs/", {"songs": [songs[5].pk]}, format="json")
    renamed = api.patch(url, {"name": "Drive", "is_public": True}, format="json").json()
    assert (renamed["name"], renamed["is_public"], renamed["song_count"]) == ("Drive", True, 3)

    # Shared: another user sees it, cannot change it.
    other = APIClient()
    other.force_login(make_user("bob"))
    assert other.get(url).status_code == 200
    assert other.patch(url, {"name": "mine now"}, format="json").status_code == 404

    m3u8 = api.get(url + "m3u8/")
    assert m3u8["Content-Type"].startswith("audio/x-mpegurl")
    lines = m3u8.content.decode().splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:Drive"]
    assert lines[2] == "#EXTINF:180,A0 - 0°"
    assert lines[3] == f"http://testserver/songs/{songs[0].pk}/audio/"
    xspf = ElementTree.fromstring(api.get(url + "xspf/").content)  # noqa: S314 - our own output
    ns = {"x": "http://xspf.org/ns/0/"}
    assert [t.text for t in xspf.findall(".//x:track/x:title", ns)] == ["0°", "20°", "50°"]

    # The export comes back in as the same songs; other lines match by file name or title.
    text = m3u8.content.decode() + "#EXTINF:1,A1 - 10°\nsomewhere/else.mp3\nsong-30.mp3\nnope.mp3\n"
    imported = api.post(
        "/api/playlists/import/",
        {"name": "Back", "file": SimpleUploadedFile("p.m3u8", text.encode())},
        format="multipart",
    ).json()
    assert (imported["matched"], imported["unmatched"]) == (5, ["nope.mp3"])
    back = api.get(f"/api/playlists/{imported['playlist']['id']}/").json()
    assert [i["song"]["title"] for i in back["items"]] == ["0°", "20°", "50°", "10°", "30°"]

    assert api.delete(url).status_code == 204
    assert not Playlist.objects.filter(pk=playlist["id"]).exists()


def test_listening_input_is_validated(api: APIClient, songs) -> None:
    too_big = 2**63
    assert api.post("/api/radio/", {"seed": too_big}, format="json").status_code == 400
    assert api.get("/api/path/", {"start": 1, "end": too_big}).status_code == 400
    not_a_number = api.post(
        "/api/plays/", f'{{"song": {songs[0].pk}, "seconds_played": NaN}}',
        content_type="application/json",
    )  # fmt: skip
    assert (not_a_number.status_code, not_a_number.json()["code"]) == (400, "parse_error")
