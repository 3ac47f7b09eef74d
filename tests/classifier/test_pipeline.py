"""Uploads become analysed songs through a real worker, and nothing is lost or double-counted.

These tests run against the real PostgreSQL, the real Redis and a real `celery worker` process
started by the test session (tests/conftest.py).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
import pytest
from django.core.files import File
from django.db import connection

from classifier.analysis import Outcome, song_analyze, song_lock
from classifier.models import Analysis, ModelVersion
from classifier.pipeline import songs_analyze, songs_sweep
from classifier.selectors import model_version_serving
from classifier.services import model_version_activate
from classifier.tasks import analyze_song
from demo.synth import write_song
from library.models import Song
from library.services import SongCreateResult, song_create
from tests.audio_factory import tone, write_audio
from tests.factories import make_ready_model_version, make_song, make_user
from timbre.celery import app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

FINAL = {Song.Status.DONE, Song.Status.FAILED}


def wait_for(condition: Callable[[], bool], *, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


def wait_until_final(song_ids: list[int], *, timeout: float = 120) -> list[Song]:
    wait_for(
        lambda: Song.objects.filter(pk__in=song_ids, status__in=FINAL).count() == len(song_ids),
        timeout=timeout, what=f"songs {song_ids} to finish",
    )  # fmt: skip
    return list(Song.objects.filter(pk__in=song_ids).order_by("pk"))


def upload(owner: object, path: Path) -> SongCreateResult:
    with path.open("rb") as handle:
        return song_create(
            owner=owner, upload=File(handle, name=path.name), original_filename=path.name
        )


def demo_song(tmp_path: Path, *, seed: int, style: str = "synth-swing", seconds: float = 8) -> Path:
    return write_song(tmp_path / f"{style}-{seed}.flac", style=style, seconds=seconds, seed=seed)


def test_uploaded_songs_end_done_with_an_analysis_from_the_active_model(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    owner = make_user()
    songs = [upload(owner, demo_song(tmp_path, seed=seed)).song for seed in range(5)]

    finished = wait_until_final([s.pk for s in songs])

    assert [s.status for s in finished] == [Song.Status.DONE] * 5
    for song in finished:
        analysis = Analysis.objects.get(song=song)
        assert analysis.model_version == ready_model
        assert set(analysis.probabilities) == set(ready_model.class_names)
        assert sum(analysis.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
        assert analysis.predicted_genre == max(
            analysis.probabilities, key=analysis.probabilities.get
        )
        assert np.linalg.norm(np.asarray(analysis.embedding)) == pytest.approx(1.0, abs=1e-5)
        assert len(analysis.tags) == 50
        assert analysis.segment_count == 2  # 8 s -> two 3-s patches
        assert song.attempts == 1


def test_bad_audio_fails_with_its_code_and_leaves_the_rest_alone(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    owner = make_user()
    silent = write_audio(tmp_path / "silence.wav", np.zeros(22050 * 5, np.float32), 22050)
    nan = tone(seconds=5, sample_rate=22050)[:, 0]
    nan[1000:1010] = np.nan
    broken = write_audio(tmp_path / "nan.wav", nan, 22050, subtype="FLOAT")
    good = demo_song(tmp_path, seed=1)

    ids = [upload(owner, path).song.pk for path in (silent, broken, good)]
    finished = {s.original_filename: s for s in wait_until_final(ids)}

    assert finished["silence.wav"].status == Song.Status.FAILED
    assert finished["silence.wav"].error_code == "silent"
    assert "silent" in finished["silence.wav"].error_message.lower()
    assert finished["nan.wav"].error_code == "non_finite"
    assert str(tmp_path) not in finished["nan.wav"].error_message  # no paths for users
    assert finished[good.name].status == Song.Status.DONE
    assert Analysis.objects.count() == 1


def test_duplicate_upload_is_one_song_with_one_analysis(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    owner = make_user()
    path = demo_song(tmp_path, seed=2)

    first = upload(owner, path)
    second = upload(owner, path)

    assert first.created and not second.created
    assert second.song.pk == first.song.pk
    wait_until_final([first.song.pk])
    assert Song.objects.count() == 1
    assert Analysis.objects.filter(song=first.song).count() == 1


def test_the_same_task_delivered_twice_concurrently_stores_one_analysis(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    song = upload(make_user(), demo_song(tmp_path, seed=3)).song
    analyze_song.delay(song.pk)
    analyze_song.delay(song.pk)  # the broker may deliver a task more than once

    # And two workers racing for it at the very same time: one analyses, the other stands back.
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def race() -> None:
        barrier.wait()
        try:
            outcomes.append(song_analyze(song_id=song.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    wait_until_final([song.pk])
    time.sleep(1)  # let the duplicate deliveries run too
    assert Analysis.objects.filter(song=song).count() == 1
    assert Outcome.DONE in outcomes or Song.objects.get(pk=song.pk).status == Song.Status.DONE


def stored_song(path: Path) -> Song:
    """A song row with real audio but no queued task: for calling the service directly."""
    return make_song(owner=make_user(), content=path.read_bytes(), audio_format="flac")


def test_a_song_locked_by_another_worker_is_left_to_it(
    ready_model: ModelVersion, tmp_path: Path
) -> None:
    song = stored_song(demo_song(tmp_path, seed=4))
    holder_ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        with song_lock(song.pk):
            holder_ready.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    holder_ready.wait(10)
    try:
        assert song_analyze(song_id=song.pk) == Outcome.BUSY
    finally:
        release.set()
        holder.join()
    assert song_analyze(song_id=song.pk) == Outcome.DONE


def test_killed_worker_process_loses_nothing(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    song = upload(make_user(), demo_song(tmp_path, seed=5, seconds=30)).song
    # The pool process claims the song, then loads the new model version (seconds): kill it then.
    wait_for(
        lambda: Song.objects.filter(pk=song.pk, status=Song.Status.PROCESSING).exists(),
        timeout=60, what="the worker to claim the song",
    )  # fmt: skip
    children = psutil.Process(celery_worker.process.pid).children()
    assert children, "the worker has no pool process"
    for child in children:
        os.kill(child.pid, signal.SIGKILL)

    [finished] = wait_until_final([song.pk], timeout=120)

    assert finished.status == Song.Status.DONE
    assert finished.attempts == 2
    assert Analysis.objects.filter(song=song).count() == 1


def test_songs_queued_when_the_broker_lost_them_are_swept_back(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path, settings: object
) -> None:
    owner = make_user()
    app.control.cancel_consumer(settings.CLASSIFIER_QUEUE, reply=True, timeout=5)
    try:
        ids = [upload(owner, demo_song(tmp_path, seed=10 + i)).song.pk for i in range(3)]
        with app.connection_for_write() as conn:
            # The broker restarts without its data: our queue's messages are gone (kombu keeps
            # one list per queue and priority, named after the queue).
            client = conn.default_channel.client
            client.delete(*client.keys(f"{settings.CLASSIFIER_QUEUE}*"))
        # A message the worker had already fetched still runs; the others are gone.
        lost = Song.objects.filter(pk__in=ids, status=Song.Status.PENDING).count()
        assert lost >= 2
    finally:
        app.control.add_consumer(settings.CLASSIFIER_QUEUE, reply=True, timeout=5)

    settings.SWEEP_GRACE_SECONDS = 0
    time.sleep(0.01)
    assert songs_sweep()["pending"] == lost

    assert {s.status for s in wait_until_final(ids)} == {Song.Status.DONE}


@pytest.mark.django_db
def test_a_song_deleted_while_queued_is_skipped_cleanly(
    ready_model: ModelVersion, tmp_path: Path
) -> None:
    song = stored_song(demo_song(tmp_path, seed=6))
    song_id = song.pk
    song.delete()

    assert song_analyze(song_id=song_id) == Outcome.GONE
    assert Analysis.objects.count() == 0


def test_model_switch_reanalyses_the_library_without_mixing_versions(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path, settings: object
) -> None:
    owner = make_user()
    ids = [upload(owner, demo_song(tmp_path, seed=20 + i)).song.pk for i in range(3)]
    wait_until_final(ids)
    assert model_version_serving() == ready_model

    new = make_ready_model_version(
        model_dir=Path(settings.MODEL_DIR), name="test-musicnn-v2", activate=False
    )
    model_version_activate(version=new)

    wait_for(
        lambda: Analysis.objects.filter(model_version=new).count() == 3,
        what="the library to be re-analysed by the new version",
    )
    # The batch records, after its last song, that the new version covers the library.
    wait_for(lambda: model_version_serving() == new, timeout=30, what="the switch to the new one")
    assert Analysis.objects.filter(model_version=ready_model).count() == 3  # old ones are kept
    assert set(Song.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
def test_serving_version_waits_until_the_new_one_covers_every_song(
    ready_model: ModelVersion, settings: object, tmp_path: Path
) -> None:
    songs = [stored_song(demo_song(tmp_path, seed=30 + i)) for i in range(2)]
    for song in songs:
        assert song_analyze(song_id=song.pk) == Outcome.DONE
    new = make_ready_model_version(
        model_dir=Path(settings.MODEL_DIR), name="test-musicnn-v3", activate=False
    )
    model_version_activate(version=new)

    assert model_version_serving() == ready_model
    songs_analyze(song_ids=[songs[0].pk], model_version_id=new.pk)
    assert model_version_serving() == ready_model  # half covered: still the old one
    songs_analyze(song_ids=[songs[1].pk], model_version_id=new.pk)
    assert model_version_serving() == new
