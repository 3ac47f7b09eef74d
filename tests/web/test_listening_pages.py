"""The listening pages: my uploads (delete, retry), liked and not for me, playlists, paths, and
the player bar and play buttons on every list."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from library.models import Dislike, Playlist, Song
from library.services.playlists import playlist_create
from tests.factories import (
    make_analysed_song,
    make_serving_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada() -> Any:
    return make_user("ada")


@pytest.fixture
def client(ada: Any) -> Client:
    client = Client()
    client.force_login(ada)
    return client


def angle(degrees: float) -> np.ndarray:
    return unit_vector([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


def test_every_page_has_the_player_bar_outside_main(client: Client) -> None:
    html = client.get("/").content.decode()
    assert html.index("</main>") < html.index("data-player") < html.index("js/player.js")
    # No inline scripts or handlers: the Content-Security-Policy forbids them.
    assert "<script>" not in html and " onclick=" not in html


def test_my_uploads_delete_and_retry(client: Client, ada: Any) -> None:
    version = make_serving_version()
    done = make_analysed_song(version=version, embedding=angle(0), owner=ada, title="Mine")
    failed = make_song(
        owner=ada, title="Broken", status=Song.Status.FAILED, error_code="undecodable",
        error_message="Not audio we can decode.",
    )  # fmt: skip
    make_song(owner=make_user("bob"), title="Not mine")

    page = client.get("/mine/").content.decode()
    assert "Mine" in page and "Broken" in page and "Not mine" not in page
    assert f'data-play="{done.pk}"' in page
    assert "Not audio we can decode." in page and f"/songs/{failed.pk}/retry/" in page

    assert client.post(f"/songs/{failed.pk}/retry/").status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.error_code) == (Song.Status.PENDING, "")
    assert client.post(f"/songs/{done.pk}/retry/").status_code == 404  # only failed songs

    assert client.post(f"/songs/{done.pk}/delete/").status_code == 302
    assert not Song.objects.filter(pk=done.pk).exists()
    other = Song.objects.get(title="Not mine")
    assert client.post(f"/songs/{other.pk}/delete/").status_code == 404


def test_liked_page_and_not_for_me_with_undo(client: Client, ada: Any) -> None:
    version = make_serving_version()
    loved = make_analysed_song(version=version, embedding=angle(0), title="Loved")
    meh = make_analysed_song(version=version, embedding=angle(40), title="Meh")
    client.post(f"/songs/{loved.pk}/like/")

    page = client.get("/liked/").content.decode()
    assert "Loved" in page and f'data-mix="{loved.pk}"' in page

    client.post(f"/songs/{meh.pk}/dislike/")
    assert Dislike.objects.filter(user=ada, song=meh).exists()
    assert "Not for me ✓ (undo)" in client.get(meh.get_absolute_url()).content.decode()
    assert "Meh" in client.get("/liked/").content.decode()  # listed under "Not for me"
    client.post(f"/songs/{meh.pk}/dislike/", {"undo": "1"})
    assert not Dislike.objects.exists()


def test_song_page_has_play_radio_and_a_path_form(client: Client, ada: Any) -> None:
    version = make_serving_version()
    song = make_analysed_song(version=version, embedding=angle(0), title="Here")
    there = make_analysed_song(version=version, embedding=angle(30), title="There")

    page = client.get(song.get_absolute_url()).content.decode()
    assert f'data-radio="{song.pk}"' in page and f'data-play="{there.pk}"' in page
    assert f'<option value="{there.pk}">There</option>' in page
    assert "data-song-live" in page and "js/song_live.js" in page

    path = client.get("/path/", {"start": song.pk, "end": there.pk, "steps": 3})
    assert [step.song for step in path.context["path"]] == [song, there]
    assert client.get("/path/", {"start": song.pk, "end": "x"}).status_code == 404


def test_playlist_pages_rename_share_reorder_remove_export_import_delete(
    client: Client, ada: Any
) -> None:
    version = make_serving_version()
    songs = [
        make_analysed_song(version=version, embedding=angle(d), title=f"S{d}", duration=60.0)
        for d in (0, 10, 20)
    ]
    playlist = playlist_create(owner=ada, name="Evening", song_ids=[s.pk for s in songs])
    url = playlist.get_absolute_url()

    page = client.get(url).content.decode()
    assert all(f'data-play="{s.pk}"' in page for s in songs)
    client.post(f"{url}edit/", {"name": "Night"})
    client.post(f"{url}edit/", {"is_public": "1"})
    client.post(f"{url}move/", {"position": "0", "action": "down"})
    client.post(f"{url}move/", {"position": "2", "action": "remove"})
    playlist.refresh_from_db()
    assert (playlist.name, playlist.is_public) == ("Night", True)
    assert [i.song.title for i in playlist.items.order_by("position")] == ["S10", "S0"]

    bob = Client()
    bob.force_login(make_user("bob"))
    assert bob.get(url).status_code == 200  # shared
    assert bob.post(f"{url}edit/", {"name": "Mine"}).status_code == 404

    m3u8 = client.get(f"{url}export.m3u8")
    assert m3u8["Content-Disposition"] == 'attachment; filename="Night.m3u8"'
    assert m3u8.content.decode().splitlines()[2:4] == [
        "#EXTINF:60,S10",
        f"http://testserver/songs/{songs[1].pk}/audio/",
    ]
    assert b"<trackList>" in client.get(f"{url}export.xspf").content
    assert client.get(f"{url}export.pls").status_code == 404

    upload = SimpleUploadedFile("again.m3u8", m3u8.content)
    answer = client.post("/playlists/import/", {"name": "Again", "file": upload})
    again = Playlist.objects.get(name="Again")
    assert answer.url == again.get_absolute_url()
    assert [i.song.title for i in again.items.order_by("position")] == ["S10", "S0"]

    client.post(f"{url}delete/")
    assert not Playlist.objects.filter(pk=playlist.pk).exists()
    assert "Again" in client.get("/playlists/").content.decode()


def test_upload_page_lists_recent_uploads_with_their_genre(client: Client, ada: Any) -> None:
    version = make_serving_version()
    make_analysed_song(version=version, embedding=angle(0), owner=ada, title="Fresh",
                       probabilities={"rock": 1.0})  # fmt: skip

    page = client.get("/upload/").content.decode()
    recent = page[page.index("Your recent uploads") :]
    assert "Fresh" in recent and "rock" in recent
