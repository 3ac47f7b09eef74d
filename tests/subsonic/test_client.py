"""The API through a real client library from PyPI (py-opensonic), against the live test server,
as a player would use it: form POSTs to ``/rest/<endpoint>.view`` with ``f=json``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from libopensonic import Connection, errors

from library.models import Like, Play, Playlist
from recommender.songs import model_versions_shown, song_list

pytestmark = pytest.mark.django_db(transaction=True)


def connect(live_server: Any, **credentials: str) -> Connection:
    url = urlsplit(live_server.url)
    return Connection(
        f"{url.scheme}://{url.hostname}", port=url.port or 80, app_name="tests", **credentials
    )


@pytest.fixture
def player(live_server: Any, library: Any) -> Iterator[Connection]:
    connection = connect(live_server, username="ada", password=library.credentials.app_password)
    yield connection
    connection.cleanup()


def read(connection: Connection, response: Any) -> bytes:
    """The body of a media response (py-opensonic hands back its aiohttp response)."""
    future = asyncio.run_coroutine_threadsafe(response.read(), connection._loop)
    return future.result(timeout=10)


def test_ping_with_each_scheme(live_server: Any, library: Any, player: Connection) -> None:
    assert player.ping() is True
    by_key = connect(live_server, api_key=library.credentials.api_key)
    by_get = connect(live_server, username="ada", password=library.credentials.app_password)
    by_get.use_get = True
    try:
        assert by_key.ping() is True
        assert by_get.ping() is True
    finally:
        by_key.cleanup()
        by_get.cleanup()


def test_wrong_credentials(live_server: Any, library: Any) -> None:
    for credentials in (
        {"username": "ada", "password": "not it"},
        {"username": "ada", "password": "correct horse battery"},  # the log-in password
        {"api_key": "not a key"},
    ):
        connection = connect(live_server, **credentials)
        try:
            with pytest.raises(errors.SonicError):
                connection.ping()
        finally:
            connection.cleanup()


def test_extensions(player: Connection) -> None:
    # (getMusicFolders is checked in test_protocol: py-opensonic 10.4 reads its `musicFolders`
    # as a list, where the specification, and every server, answer {"musicFolder": [...]}.)
    names = {extension.name for extension in player.get_open_subsonic_extensions()}
    assert {"sonicSimilarity", "apiKeyAuthentication", "formPost"} <= names


def test_search_and_album_lists(player: Connection, library: Any) -> None:
    found = player.search3("tune")
    assert {song.title for song in found.song} == {f"Tune {n}" for n in range(6)}
    assert [album.name for album in found.album] == []  # "tune" is in no album's name
    for kind in ("newest", "alphabeticalByName", "alphabeticalByArtist", "random"):
        albums = player.get_album_list2(kind)
        assert [album.name for album in albums] == ["Blue Train"], kind
    assert player.get_album_list2("byGenre", genre="jazz")[0].name == "Blue Train"
    assert player.get_album_list2("byGenre", genre="rock") == []
    album = player.get_album(f"al-{library.album.pk}")
    assert [song.title for song in album.song] == ["Tune 0", "Tune 1", "Tune 2"]
    artist = player.get_artist(album.artist_id)
    assert [item.name for item in artist.album] == ["Blue Train"]
    assert len(player.get_random_songs(size=3)) == 3


def test_stream_whole_and_a_range(player: Connection, library: Any) -> None:
    song = library.songs[2]
    stored = song.audio.open("rb").read()
    whole = player.stream(str(song.pk))
    assert whole.status == 200 and read(player, whole) == stored
    part = player.stream(str(song.pk), byte_range="bytes=100-199")
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(stored)}"
    assert read(player, part) == stored[100:200]
    assert read(player, player.download(str(song.pk))) == stored


def test_cover_art(player: Connection, library: Any) -> None:
    full = player.get_cover_art(f"al-{library.album.pk}")
    assert full.headers["Content-Type"] == "image/jpeg"
    assert read(player, full)[:2] == b"\xff\xd8"
    small = read(player, player.get_cover_art(str(library.songs[0].pk), size=16))
    assert small[:2] == b"\xff\xd8" and len(small) < len(read(player, full)) + 1


def test_star_is_the_webs_like(player: Connection, library: Any) -> None:
    song = library.songs[3]
    assert player.star(sids=[str(song.pk)]) is True
    assert Like.objects.filter(user=library.ada, song=song).exists()
    # The web's song list, which the library page and the API read, sees the like.
    web = song_list(user=library.ada, versions=model_versions_shown()).get(pk=song.pk)
    assert web.liked_by_me
    starred = player.get_starred2()
    assert [item.id for item in starred.song] == [str(song.pk)]
    assert player.unstar(sids=[str(song.pk)]) is True
    assert not Like.objects.exists()


def test_scrobble_feeds_plays(player: Connection, library: Any) -> None:
    assert player.scrobble(str(library.songs[0].pk)) is True
    assert Play.objects.filter(user=library.ada, song=library.songs[0]).count() == 1


def test_playlist_created_and_read_back(player: Connection, library: Any) -> None:
    ids = [str(library.songs[n].pk) for n in (4, 0, 2)]
    assert player.create_playlist(name="Late night", song_ids=ids) is True
    playlist = Playlist.objects.get(owner=library.ada)
    assert playlist.name == "Late night"
    read_back = player.get_playlist(str(playlist.pk))
    assert [entry.id for entry in read_back.entry] == ids
    assert player.update_playlist(
        str(playlist.pk), name="Later", song_ids_to_add=[ids[0]], song_indices_to_remove=[0]
    )
    assert [entry.id for entry in player.get_playlist(str(playlist.pk)).entry] == ids[1:] + ids[:1]
    assert [item.name for item in player.get_playlists()] == ["Later"]
    assert player.delete_playlist(str(playlist.pk)) is True
    assert not Playlist.objects.exists()


def test_instant_mix_and_sonic_similarity(player: Connection, library: Any) -> None:
    seed = library.songs[0]
    visible = {str(song.pk) for song in library.songs}
    mix = player.get_similar_songs2(str(seed.pk), count=4)
    assert 0 < len(mix) <= 4 and {song.id for song in mix} <= visible - {str(seed.pk)}
    assert len(player.get_similar_songs(f"al-{library.album.pk}", count=3)) > 0

    matches = player.get_sonic_similar_tracks(str(seed.pk), count=3)
    assert [match.entry.id for match in matches] == [str(library.songs[n].pk) for n in (1, 2, 3)]
    similarities = [match.similarity for match in matches]
    assert similarities == sorted(similarities, reverse=True)
    assert all(0.0 <= value <= 1.0 for value in similarities)
    assert str(library.private.pk) not in {match.entry.id for match in matches}

    path = player.find_sonic_path(str(seed.pk), str(library.songs[5].pk), count=4)
    ids = [match.entry.id for match in path]
    assert ids[0] == str(seed.pk) and ids[-1] == str(library.songs[5].pk)
    assert len(ids) == 4 and len(set(ids)) == 4
    assert path[0].similarity == 1.0
