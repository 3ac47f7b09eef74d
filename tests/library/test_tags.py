"""Tags read from files: what uploads and scans store besides the audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File

from library.services import song_create
from library.tags import read_tags
from tests.audio_factory import tone, write_audio
from tests.factories import make_user
from tests.library.scan_tree import jpeg, tagged_mp3


def test_read_tags_reads_every_field_and_the_front_cover(tmp_path: Path) -> None:
    cover = jpeg()
    path = tagged_mp3(
        tmp_path / "t.mp3", title="T", artist="A", album="Al", album_artist="AA", track="7/9",
        disc="2/2", year="2001-05-01", genre="Post-Rock", cover=cover,
    )  # fmt: skip

    tags = read_tags(path)

    assert (tags.title, tags.artist, tags.album, tags.album_artist) == ("T", "A", "Al", "AA")
    assert (tags.track_number, tags.disc_number, tags.year, tags.genre) == (7, 2, 2001, "Post-Rock")
    assert tags.cover == cover
    assert tags.duration == pytest.approx(4.0, abs=0.2)


def test_files_without_tags_or_broken_ones_read_as_empty(tmp_path: Path) -> None:
    plain = write_audio(tmp_path / "plain.wav", tone(seconds=1.0, sample_rate=8000), 8000)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\xff\xfb" + b"junk" * 50)

    assert read_tags(plain).title == "" and read_tags(plain).cover is None
    assert read_tags(junk).album == ""


@pytest.mark.django_db
def test_uploads_read_the_same_tags(tmp_path: Path) -> None:
    path = tagged_mp3(
        tmp_path / "upload.mp3", title="Up", artist="Loader", album="Sent", track="3",
        year="2020", genre="Rock", cover=jpeg(),
    )  # fmt: skip
    with path.open("rb") as handle:
        song = song_create(
            owner=make_user(), upload=File(handle, name="x.mp3"), original_filename="x.mp3"
        ).song

    assert (song.title, song.artist, song.track_number, song.year) == ("Up", "Loader", 3, 2020)
    assert song.file_genre == "Rock" and song.genre is None
    assert song.album is not None and song.album.title == "Sent" and song.album.cover
