"""A song scanned in place is analysed from the file at its path, and never from outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.analysis import Outcome, song_analyze
from classifier.models import Analysis, ModelVersion
from library.models import Song
from library.services.scans import library_scan
from tests.library.scan_tree import tagged_mp3

pytestmark = pytest.mark.django_db


def test_scanned_song_is_analysed_from_its_folder(
    ready_model: ModelVersion, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    tagged_mp3(music / "a.mp3", title="Scanned", artist="S", seconds=12.0, seed=4)
    library_scan(paths=[music])
    song = Song.objects.get(title="Scanned")

    assert song_analyze(song_id=song.pk) == Outcome.DONE

    assert Analysis.objects.filter(song=song, model_version=ready_model).exists()


def test_scanned_file_replaced_by_a_link_out_fails_without_reading_it(
    ready_model: ModelVersion, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    path = tagged_mp3(music / "a.mp3", title="Scanned", artist="S", seconds=12.0, seed=4)
    library_scan(paths=[music])
    song = Song.objects.get(title="Scanned")
    secret = tagged_mp3(tmp_path / "secret.mp3", title="Secret", artist="X", seconds=12.0)
    path.unlink()
    path.symlink_to(secret)

    assert song_analyze(song_id=song.pk) == Outcome.FAILED

    song.refresh_from_db()
    assert "outside its music folder" in song.error_message
    assert not Analysis.objects.filter(song=song).exists()
