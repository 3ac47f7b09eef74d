"""Scaling out: two workers on different hosts share one database and broker, and no song is
analysed twice, even when every task is delivered twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier.models import Analysis, ModelVersion
from classifier.tasks import analyze_song
from library.models import Song
from library.services.scans import library_scan
from tests.conftest import WorkerProcess, start_worker, stop_worker
from tests.library.scan_tree import tagged_mp3

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker, pytest.mark.slow]

SONGS = 6


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    workers = []
    try:
        for name in ("alpha", "beta"):
            data = tmp_path / f"data-{name}"  # each host has its own data and cache folder
            data.mkdir()
            workers.append(
                start_worker(
                    log_path=tmp_path / f"{name}.log",
                    hostname=f"{name}@host-{name}",
                    env_overrides={"TIMBRE_DATA_DIR": str(data), "CACHE_DIR": str(data / "c")},
                )
            )
        yield workers
    finally:
        for worker in workers:
            stop_worker(worker)


def test_two_workers_never_analyse_one_song_twice(
    two_workers: list[WorkerProcess], ready_model: ModelVersion, tmp_path: Path
) -> None:
    music = tmp_path / "music"  # mounted at the same path on both hosts
    for seed in range(SONGS):
        tagged_mp3(music / f"{seed}.mp3", title=f"S{seed}", artist="A", seconds=8.0, seed=seed)
    report = library_scan(paths=[music])  # queues each song once, on commit
    assert report.added == SONGS
    ids = list(Song.objects.values_list("pk", flat=True))
    for song_id in ids:
        analyze_song.delay(song_id)  # and once more: a duplicate delivery of every task

    deadline = time.monotonic() + 240
    while Song.objects.filter(pk__in=ids, status=Song.Status.DONE).count() < SONGS:
        assert time.monotonic() < deadline, [w.log()[-2000:] for w in two_workers]
        assert not Song.objects.filter(pk__in=ids, status=Song.Status.FAILED).exists()
        time.sleep(0.2)

    assert Analysis.objects.filter(song_id__in=ids, model_version=ready_model).count() == SONGS
    # A song is claimed (its attempts counted) only by the worker that analyses it.
    assert set(Song.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    # Both hosts took part (each received analyses), and neither stored a second result.
    for worker in two_workers:
        assert "classifier.analyze_song" in worker.log(), worker.log()[-2000:]
