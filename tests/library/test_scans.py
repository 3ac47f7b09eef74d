"""Scanning a music folder in place: tags and covers, incremental rescans, links, bad files."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from classifier.models import Analysis
from library.files import SongFileOutsideFolderError, song_file_path
from library.models import Album, Like, MusicFolder, Song
from library.selectors import songs_visible_to
from library.services import scans
from library.services.scans import ScanError, library_scan
from tests.factories import make_analysis, make_model_version, make_user, unit_vector
from tests.library.scan_tree import jpeg, tagged_mp3, touch_later

pytestmark = pytest.mark.django_db


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """Two albums: one with embedded art, one with a cover.jpg beside its tracks."""
    root = tmp_path / "music"
    blue = root / "Miles Davis" / "Kind of Blue"
    tagged_mp3(
        blue / "01 So What.mp3", title="So What", artist="Miles Davis", album="Kind of Blue",
        album_artist="Miles Davis", track="1/5", disc="1/1", year="1959-08-17", genre="Jazz",
        cover=jpeg(), seed=1,
    )  # fmt: skip
    tagged_mp3(
        blue / "02 Freddie Freeloader.mp3", title="Freddie Freeloader", artist="Miles Davis",
        album="Kind of Blue", album_artist="Miles Davis", track="2/5", year="1959", seed=2,
    )  # fmt: skip
    other = root / "Various" / "Night"
    tagged_mp3(other / "a.mp3", title="Night One", artist="A", album="Night",
               album_artist="Various Artists", track="1", seed=3)  # fmt: skip
    (other / "cover.jpg").write_bytes(jpeg((20, 20, 200)))
    (other / "notes.txt").write_text("not music, ignored by name")
    return root


def test_scan_indexes_files_in_place_with_tags_and_covers(music: Path) -> None:
    report = library_scan(paths=[music])

    assert (report.added, report.rejected) == (3, [])
    song = Song.objects.select_related("album", "folder").get(title="So What")
    assert (song.artist, song.track_number, song.disc_number, song.year) == (
        "Miles Davis", 1, 1, 1959,
    )  # fmt: skip
    assert song.file_genre == "Jazz" and song.genre is None  # the tag is not a label
    assert song.source == Song.Source.SCAN and song.owner is None
    assert song.audio.name == ""  # nothing copied
    assert song_file_path(song=song) == (music / "Miles Davis/Kind of Blue/01 So What.mp3")
    assert song.duration == pytest.approx(4.0, abs=0.2)
    assert song.album is not None and song.album.title == "Kind of Blue"
    assert song.album.songs.count() == 2 and song.album.cover  # embedded art
    night = Album.objects.get(title="Night")
    assert night.artist == "Various Artists" and night.cover  # cover.jpg beside the file
    from PIL import Image

    with night.cover.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as thumbnail:
        assert max(thumbnail.size) <= 320
    # Scanned songs belong to the library every user sees.
    assert songs_visible_to(user=make_user()).filter(source=Song.Source.SCAN).count() == 3


def test_unchanged_rescan_opens_nothing_and_writes_nothing(
    music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library_scan(paths=[music])
    before = dict(Song.objects.values_list("id", "updated_at"))

    def no_reading(path: Path) -> str:
        raise AssertionError(f"{path} was read although it did not change")

    monkeypatch.setattr(scans, "_file_sha256", no_reading)
    report = library_scan(paths=[music])

    assert (report.unchanged, report.added, report.changed, report.missing) == (3, 0, 0, 0)
    assert dict(Song.objects.values_list("id", "updated_at")) == before


def test_changed_file_is_reread_and_reanalysed_as_the_same_song(music: Path) -> None:
    library_scan(paths=[music])
    path = music / "Various/Night/a.mp3"
    song = Song.objects.get(title="Night One")
    Song.objects.filter(pk=song.pk).update(status=Song.Status.DONE)
    tagged_mp3(path, title="Night One (remaster)", artist="A", album="Night", seed=9)
    touch_later(path)

    report = library_scan(paths=[music])

    assert (report.changed, report.added) == (1, 0)
    song.refresh_from_db()
    assert song.title == "Night One (remaster)"
    assert song.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert song.status == Song.Status.PENDING  # queued for a new analysis


def test_touched_but_identical_file_is_not_reanalysed(music: Path) -> None:
    library_scan(paths=[music])
    path = music / "Various/Night/a.mp3"
    Song.objects.filter(title="Night One").update(status=Song.Status.DONE)
    touch_later(path)

    report = library_scan(paths=[music])

    assert (report.changed, report.unchanged) == (0, 3)
    assert Song.objects.get(title="Night One").status == Song.Status.DONE


def test_moved_file_keeps_its_song_likes_and_analyses(music: Path) -> None:
    library_scan(paths=[music])
    song = Song.objects.get(title="So What")
    fan = make_user()
    Like.objects.create(user=fan, song=song)
    make_analysis(song=song, model_version=make_model_version(), embedding=unit_vector([1.0]))
    old = music / "Miles Davis/Kind of Blue/01 So What.mp3"
    new = music / "Jazz/Miles Davis - So What.mp3"
    new.parent.mkdir()
    shutil.move(old, new)

    report = library_scan(paths=[music])

    assert (report.moved, report.added, report.missing) == (1, 0, 0)
    song.refresh_from_db()
    assert song.relative_path == "Jazz/Miles Davis - So What.mp3"
    assert song.missing_since is None
    assert Like.objects.filter(song=song, user=fan).exists()
    assert Analysis.objects.filter(song=song).exists()
    assert Song.objects.count() == 3


def test_vanished_file_is_marked_missing_never_deleted_and_found_again(
    music: Path, tmp_path: Path
) -> None:
    library_scan(paths=[music])
    song = Song.objects.get(title="Freddie Freeloader")
    Like.objects.create(user=make_user(), song=song)
    path = music / "Miles Davis/Kind of Blue/02 Freddie Freeloader.mp3"
    kept = tmp_path / "elsewhere.mp3"
    shutil.move(path, kept)

    report = library_scan(paths=[music])

    assert report.missing == 1
    song.refresh_from_db()
    assert song.missing_since is not None and song.likes.count() == 1

    shutil.move(kept, path)  # the drive is back
    report = library_scan(paths=[music])
    assert (report.restored, report.added) == (1, 0)
    song.refresh_from_db()
    assert song.missing_since is None


def test_new_file_is_added_on_rescan(music: Path) -> None:
    library_scan(paths=[music])
    tagged_mp3(music / "new/b.mp3", title="Brand New", artist="B", seed=5)

    report = library_scan(paths=[music])

    assert (report.added, report.unchanged) == (1, 3)
    assert Song.objects.get(title="Brand New").album is None  # no album tag, no album


def test_links_out_of_the_folder_are_rejected_and_never_read(music: Path, tmp_path: Path) -> None:
    outside = tmp_path / "private"
    secret = tagged_mp3(outside / "secret.mp3", title="Secret", artist="X", seed=7)
    (music / "link.mp3").symlink_to(secret)
    (music / "linked-dir").symlink_to(outside, target_is_directory=True)
    inside = music / "Various/Night/a.mp3"
    (music / "alias.mp3").symlink_to(inside)  # inside: its file is indexed where it is

    report = library_scan(paths=[music])

    assert not Song.objects.filter(title="Secret").exists()
    reasons = {Path(r.path).name: r.reason for r in report.rejected}
    assert "outside the music folder" in reasons["link.mp3"]
    assert "outside the music folder" in reasons["linked-dir"]
    assert "alias.mp3" not in reasons and "a.mp3" not in reasons  # indexed once, where it is
    assert Song.objects.count() == 3


def test_a_scanned_file_replaced_by_a_link_out_is_neither_analysed_nor_served(
    music: Path, tmp_path: Path, user: object
) -> None:
    library_scan(paths=[music])
    song = Song.objects.get(title="Night One")
    path = music / "Various/Night/a.mp3"
    secret = tagged_mp3(tmp_path / "secret.mp3", title="Secret", artist="X", seed=8)
    path.unlink()
    path.symlink_to(secret)

    with pytest.raises(SongFileOutsideFolderError):
        song_file_path(song=song)
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("web:song_audio", args=[song.pk]))
    assert response.status_code == 404


def test_scanned_song_streams_from_its_folder_with_ranges(music: Path, user: object) -> None:
    library_scan(paths=[music])
    song = Song.objects.get(title="So What")
    data = (music / "Miles Davis/Kind of Blue/01 So What.mp3").read_bytes()
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]

    response = client.get(reverse("web:song_audio", args=[song.pk]), HTTP_RANGE="bytes=100-199")

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[100:200]  # type: ignore[attr-defined]
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"


def test_unreadable_and_non_audio_files_are_listed_with_a_reason(
    music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (music / "broken.mp3").write_bytes(b"this is not an mp3" * 100)
    (music / "empty.flac").write_bytes(b"")
    locked = tagged_mp3(music / "locked.mp3", title="Locked", artist="L", seed=11)
    real_sha256 = scans._file_sha256

    def permission_denied(path: Path) -> str:
        # Root reads any file whatever its mode, so the refusal is simulated where it happens.
        if path.name == "locked.mp3" and os.geteuid() == 0:
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha256(path)

    monkeypatch.setattr(scans, "_file_sha256", permission_denied)
    locked.chmod(0)

    report = library_scan(paths=[music])

    reasons = {Path(r.path).name: r.reason for r in report.rejected}
    assert set(reasons) == {"broken.mp3", "empty.flac", "locked.mp3"}
    assert "Permission denied" in reasons["locked.mp3"]
    assert report.added == 3  # the good files are indexed all the same
    assert not Song.objects.filter(title="Locked").exists()


def test_duplicate_content_in_the_folder_is_one_song(music: Path) -> None:
    shutil.copy(music / "Various/Night/a.mp3", music / "copy.mp3")

    report = library_scan(paths=[music])

    assert report.added == 3
    assert [Path(r.path).name for r in report.rejected] == ["copy.mp3"] or [
        Path(r.path).name for r in report.rejected
    ] == ["a.mp3"]


def test_a_path_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScanError):
        library_scan(paths=[tmp_path / "nope"])
    assert not MusicFolder.objects.exists()


def test_command_prints_progress_summary_and_rejects(music: Path) -> None:
    (music / "broken.mp3").write_bytes(b"junk" * 100)
    output = io.StringIO()

    call_command("scan_library", str(music), stdout=output)

    text = output.getvalue()
    assert "files/s" in text and "ETA" in text
    assert "3 added" in text and "1 rejected" in text
    assert "rejected " in text and "broken.mp3" in text


def test_beat_task_scans_music_dirs_and_stands_back_without_them(
    music: Path, settings: object
) -> None:
    from library.tasks import scan_music_dirs

    settings.MUSIC_DIRS = []  # type: ignore[attr-defined]
    assert scan_music_dirs() == {}
    settings.MUSIC_DIRS = [str(music)]  # type: ignore[attr-defined]

    result = scan_music_dirs()

    assert result["added"] == 3 and result["rejected"] == 0
    assert MusicFolder.objects.get().last_scanned_at is not None


def test_music_dirs_are_rescanned_by_beat_when_set() -> None:
    import subprocess
    import sys

    code = (
        "from django.conf import settings; print(settings.CELERY_BEAT_SCHEDULE['scan-music-dirs'])"
    )
    env = {**os.environ, "MUSIC_DIRS": "/srv/music", "MUSIC_SCAN_MINUTES": "15", "DEBUG": "1"}
    output = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "library.scan_music_dirs" in output and "900.0" in output
