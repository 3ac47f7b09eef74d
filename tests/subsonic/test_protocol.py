"""The protocol through Django's test client: the XML and JSON shapes, error codes, each auth
scheme, form POST, throttling, visibility, the credentials command and account page."""

from __future__ import annotations

import hashlib
from io import StringIO
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client

from library.models import Like, Play
from subsonic.models import SubsonicCredential
from subsonic.services import api_key_digest

pytestmark = pytest.mark.django_db

NS = "{http://subsonic.org/restapi}"


def token_auth(username: str, secret: str, salt: str = "c19b2d") -> dict[str, str]:
    token = hashlib.md5((secret + salt).encode(), usedforsecurity=False).hexdigest()
    return {"u": username, "t": token, "s": salt, "v": "1.16.1", "c": "tests"}


def xml(client: Client, endpoint: str, **params: Any) -> ElementTree.Element:
    response = client.get(f"/rest/{endpoint}", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own server's reply


def json_body(client: Client, endpoint: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/rest/{endpoint}", {**params, "f": "json"})
    assert response.status_code == 200
    return response.json()["subsonic-response"]


def assert_envelope(root: ElementTree.Element, status: str) -> None:
    assert root.tag == f"{NS}subsonic-response"
    assert root.get("status") == status
    assert root.get("version") == "1.16.1"
    assert root.get("openSubsonic") == "true"
    assert root.get("type") == "timbre"


def test_ping_xml_shape_and_view_suffix(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    for endpoint in ("ping", "ping.view"):
        root = xml(client, endpoint, **auth)
        assert_envelope(root, "ok")
        assert list(root) == []


def test_json_and_form_post(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    body = json_body(client, "ping", **auth)
    assert body["status"] == "ok" and body["openSubsonic"] is True
    posted = client.post("/rest/getLicense.view", {**auth, "f": "json"})
    assert posted.status_code == 200
    assert posted.json()["subsonic-response"]["license"]["valid"] is True


def test_extensions_are_public_and_advertise_sonic_similarity(client: Client) -> None:
    body = json_body(client, "getOpenSubsonicExtensions")
    names = {item["name"] for item in body["openSubsonicExtensions"]}
    assert {"sonicSimilarity", "apiKeyAuthentication", "formPost"} <= names
    root = xml(client, "getOpenSubsonicExtensions")
    assert root.find(f"{NS}openSubsonicExtensions/{NS}versions").text == "1"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, 10),
        ({"u": "ada"}, 10),
        ({"u": "ada", "t": "0" * 32, "s": "abc"}, 40),
        ({"u": "nobody", "t": "0" * 32, "s": "abc"}, 40),
        ({"u": "ada", "p": "whatever"}, 42),
        ({"apiKey": "wrong"}, 44),
        ({"apiKey": "wrong", "u": "ada"}, 43),
    ],
)
def test_error_codes(client: Client, library: Any, params: dict[str, str], code: int) -> None:
    root = xml(client, "ping", **params)
    assert_envelope(root, "failed")
    assert root.find(f"{NS}error").get("code") == str(code)


def test_music_folders(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    folders = json_body(client, "getMusicFolders", **auth)["musicFolders"]["musicFolder"]
    assert folders == [{"id": 1, "name": "Timbre"}]
    root = xml(client, "getMusicFolders", **auth)
    assert root.find(f"{NS}musicFolders/{NS}musicFolder").get("name") == "Timbre"


def test_api_key_and_https_password(client: Client, library: Any) -> None:
    assert json_body(client, "ping", apiKey=library.credentials.api_key)["status"] == "ok"
    secret = library.credentials.app_password
    enc = "enc:" + secret.encode().hex()
    for password in (secret, enc):
        response = client.get("/rest/ping", {"u": "ada", "p": password, "f": "json"}, secure=True)
        assert response.json()["subsonic-response"]["status"] == "ok"


def test_login_password_never_opens_the_api(client: Client, library: Any) -> None:
    root = xml(client, "ping", **token_auth("ada", "correct horse battery"))
    assert root.find(f"{NS}error").get("code") == "40"


def test_failed_attempts_are_throttled(client: Client, library: Any, settings: Any) -> None:
    settings.LOGIN_THROTTLE = "3/m"
    for _ in range(3):
        xml(client, "ping", **token_auth("ada", "guess"))
    root = xml(client, "ping", **token_auth("ada", library.credentials.app_password))
    assert root.find(f"{NS}error").get("code") == "40"
    assert "Too many" in root.find(f"{NS}error").get("message")


def test_others_private_songs_answer_70(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    for endpoint, params in (
        ("getSong", {"id": library.private.pk}),
        ("stream", {"id": library.private.pk}),
        ("star", {"id": library.private.pk}),
        ("getSong", {"id": "nonsense"}),
        ("getAlbum", {"id": "al-999999"}),
    ):
        body = json_body(client, endpoint, **auth, **params)
        assert body["error"]["code"] == 70, endpoint
    assert not Like.objects.exists()


def test_browsing_shapes(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    album = json_body(client, "getAlbum", **auth, id=f"al-{library.album.pk}")["album"]
    assert album["name"] == "Blue Train" and album["songCount"] == 3
    assert [song["title"] for song in album["song"]] == ["Tune 0", "Tune 1", "Tune 2"]
    assert album["coverArt"] == f"al-{library.album.pk}"
    song = json_body(client, "getSong", **auth, id=library.songs[0].pk)["song"]
    assert song["genre"] == "jazz" and song["duration"] == 180 and song["isDir"] is False
    artists = json_body(client, "getArtists", **auth)["artists"]["index"]
    names = [artist["name"] for group in artists for artist in group["artist"]]
    assert names == ["John Coltrane", "Someone Else"]
    genres = json_body(client, "getGenres", **auth)["genres"]["genre"]
    assert {genre["value"]: genre["songCount"] for genre in genres} == {"jazz": 4, "rock": 2}
    root = xml(client, "getGenres", **auth)
    assert root.find(f"{NS}genres/{NS}genre").text == "jazz"
    by_genre = json_body(client, "getSongsByGenre", **auth, genre="rock", count=10)
    assert {song["title"] for song in by_genre["songsByGenre"]["song"]} == {"Tune 4", "Tune 5"}
    directory = json_body(client, "getMusicDirectory", **auth, id=album["artistId"])
    assert directory["directory"]["child"][0]["isDir"] is True
    indexes = json_body(client, "getIndexes", **auth)["indexes"]
    assert indexes["index"][0]["name"] == "J"
    search = json_body(client, "search3", **auth, query="tune 4")["searchResult3"]
    assert [song["title"] for song in search["song"]] == ["Tune 4"]


def test_scrobble_records_a_play_and_now_playing_does_not(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    json_body(client, "scrobble", **auth, id=library.songs[1].pk, submission="false")
    assert not Play.objects.exists()
    json_body(client, "scrobble", **auth, id=library.songs[1].pk)
    play = Play.objects.get()
    assert play.user == library.ada and play.song == library.songs[1] and not play.skipped


def test_credentials_command_creates_and_rotates(library: Any) -> None:
    out = StringIO()
    call_command("subsonic_credentials", "bob", stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    credential = SubsonicCredential.objects.get(user=library.bob)
    assert lines["app password"] == credential.app_password
    assert api_key_digest(lines["api key"]) == credential.api_key_sha256
    call_command("subsonic_credentials", "bob", stdout=StringIO())
    credential.refresh_from_db()
    assert credential.app_password != lines["app password"]


def test_account_page_creates_and_revokes(client: Client, library: Any) -> None:
    client.force_login(library.bob)
    page = client.get("/accounts/subsonic/")
    assert page.status_code == 200 and b"no app password" in page.content
    created = client.post("/accounts/subsonic/", {"action": "rotate"})
    credential = SubsonicCredential.objects.get(user=library.bob)
    assert credential.app_password.encode() in created.content
    assert created["Cache-Control"] == "no-store"
    client.logout()
    assert json_body(client, "ping", **token_auth("bob", credential.app_password))["status"] == "ok"
    client.force_login(library.bob)
    client.post("/accounts/subsonic/", {"action": "revoke"})
    client.logout()
    body = json_body(client, "ping", **token_auth("bob", credential.app_password))
    assert body["error"]["code"] == 40


def test_folder_browsing_clients(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    albums = json_body(client, "getAlbumList", **auth, type="newest")["albumList"]["album"]
    assert [(album["title"], album["isDir"]) for album in albums] == [("Blue Train", True)]
    found = json_body(client, "search2", **auth, query="blue")["searchResult2"]
    assert [album["title"] for album in found["album"]] == ["Blue Train"]
    # The one song search matches album titles too.
    assert {song["title"] for song in found["song"]} == {"Tune 0", "Tune 1", "Tune 2"}


def test_get_user_is_only_oneself(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    me = json_body(client, "getUser", **auth, username="ada")["user"]
    assert me["streamRole"] is True and me["adminRole"] is False
    assert json_body(client, "getUser", **auth, username="bob")["error"]["code"] == 50


def test_unknown_endpoint_answers_in_the_protocol(client: Client, library: Any) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    response = client.get("/rest/getPodcasts.view", {**auth, "f": "json"})
    assert response.status_code == 404
    assert response.json()["subsonic-response"]["error"]["code"] == 0


def test_sonic_similar_tracks_queries_do_not_grow_with_count(
    client: Client, library: Any, django_assert_max_num_queries: Any
) -> None:
    auth = token_auth("ada", library.credentials.app_password)
    params = {**auth, "f": "json", "id": library.songs[0].pk}
    with django_assert_max_num_queries(12):
        response = client.get("/rest/getSonicSimilarTracks", {**params, "count": 5})
    assert len(response.json()["subsonic-response"]["sonicMatch"]) == 5
