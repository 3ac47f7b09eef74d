"""Analysing one song with one model version: claim, featurise, predict, store. Idempotent.

Concurrency and crashes are handled by two database mechanisms, not by the broker:
- a PostgreSQL session-level advisory lock per song, held while a worker analyses it. A second
  delivery of the same task cannot take it and exits; a worker that dies (even by SIGKILL) loses
  its connection and with it the lock, so the song can be picked up again at once;
- the result is an upsert on the unique (song, model_version) pair, so nothing is stored twice.

The attempts counter in the database caps how often a song may be started: a file that kills the
worker every time fails with `worker_lost` instead of looping forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audio.errors import ErrorCode, InvalidAudioError
from classifier.artifacts import model_version_artifact_dir
from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_active
from library.files import SongFileOutsideFolderError, SongFileUnavailableError, song_file_path
from library.models import Song

if TYPE_CHECKING:
    from classifier.inference import Predictor, TrackPrediction

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Advisory lock keys are one bigint namespace per database; offset song ids into our own range.
_LOCK_NAMESPACE = 0x54494D42 << 32  # "TIMB"


class Outcome(StrEnum):
    DONE = "done"  # an analysis for this song and version exists now
    FAILED = "failed"  # the song is marked failed with a code and message
    WAITING = "waiting"  # no active model; the song stays queued
    BUSY = "busy"  # another worker is analysing it right now
    GONE = "gone"  # the song was deleted
    SKIPPED = "skipped"  # nothing to do (failed earlier, or already analysed)


class StorageUnavailableError(RuntimeError):
    """The song's file cannot be read right now; worth retrying."""


@dataclass(frozen=True)
class SongFailure:
    code: str
    message: str


WORKER_LOST = SongFailure(
    ErrorCode.WORKER_LOST,
    f"Analysis was interrupted {MAX_ATTEMPTS} times (the worker stopped while working on this "
    "file). It was not retried again; try re-uploading or re-encoding the file.",
)
TIMEOUT = SongFailure(
    ErrorCode.TIMEOUT, "Analysis took longer than allowed and was stopped. Try a shorter file."
)
STORAGE_UNAVAILABLE = SongFailure(
    ErrorCode.STORAGE_UNAVAILABLE,
    "The stored audio file could not be read. It was retried several times; re-upload it.",
)
OUTSIDE_FOLDER = SongFailure(
    ErrorCode.STORAGE_UNAVAILABLE,
    "The file leads outside its music folder (a link out of it) and is never read.",
)
MODEL_ERROR = SongFailure(
    ErrorCode.MODEL_ERROR,
    "The genre model produced no usable result for this file. An administrator has been told "
    "through the worker log.",
)


@contextmanager
def song_lock(song_id: int) -> Iterator[bool]:
    """Try to hold the song's advisory lock for the duration; yields whether we got it."""
    key = _LOCK_NAMESPACE + song_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def song_is_locked(song_id: int) -> bool:
    """Whether some worker holds the song's lock now (used by the sweeper)."""
    with song_lock(song_id) as acquired:
        return not acquired


# One loaded model per version per worker process, loaded on first use, after the pool forked.
_predictors: dict[int, Predictor] = {}
_predictors_lock = threading.Lock()
_MAX_LOADED_VERSIONS = 2


def predictor_for(version: ModelVersion) -> Predictor:
    from classifier.inference import Predictor  # keeps Keras out of web processes

    with _predictors_lock:
        predictor = _predictors.get(version.pk)
        if predictor is None:
            logger.info("loading model version %s", version.name)
            predictor = Predictor.load(
                model_version_artifact_dir(version), batch_size=settings.INFERENCE_BATCH_SIZE
            )
            while len(_predictors) >= _MAX_LOADED_VERSIONS:
                _predictors.pop(next(iter(_predictors)))
            _predictors[version.pk] = predictor
        return predictor


def song_fail(*, song_id: int, failure: SongFailure) -> None:
    Song.objects.filter(pk=song_id).exclude(status=Song.Status.DONE).update(
        status=Song.Status.FAILED,
        error_code=failure.code,
        error_message=failure.message[:500],
        updated_at=timezone.now(),
    )


def _claim(song_id: int) -> Song | None:
    """pending/processing -> processing, counting the attempt; None if it is not claimable."""
    claimed = Song.objects.filter(
        pk=song_id, status__in=[Song.Status.PENDING, Song.Status.PROCESSING]
    ).update(status=Song.Status.PROCESSING, attempts=F("attempts") + 1, updated_at=timezone.now())
    return Song.objects.filter(pk=song_id).first() if claimed else None


def song_analyze(
    *, song_id: int, model_version_id: int | None = None, force: bool = False
) -> Outcome:
    """Analyse a song with a model version (the active one by default) and store the result.

    An existing analysis by the same version is kept unless `force` (then it is replaced).
    Raises StorageUnavailableError (and database errors) for the caller to retry.
    """
    version = (
        ModelVersion.objects.filter(pk=model_version_id).first()
        if model_version_id is not None
        else model_version_active()
    )
    if version is None:
        return Outcome.WAITING if model_version_id is None else Outcome.SKIPPED
    with song_lock(song_id) as acquired:
        if not acquired:
            return Outcome.BUSY
        song = Song.objects.filter(pk=song_id).first()
        if song is None:
            return Outcome.GONE
        if not force and Analysis.objects.filter(song_id=song_id, model_version=version).exists():
            _mark_done(song_id)
            return Outcome.SKIPPED
        if song.status == Song.Status.FAILED:
            return Outcome.SKIPPED
        if song.status != Song.Status.DONE:
            song = _claim(song_id)
            if song is None:
                return Outcome.GONE
            if song.attempts > MAX_ATTEMPTS:
                song_fail(song_id=song_id, failure=WORKER_LOST)
                return Outcome.FAILED
        # A done song being re-analysed by a newly activated model keeps its status meanwhile.
        return _analyze_claimed(song, version)


def _analyze_claimed(song: Song, version: ModelVersion) -> Outcome:
    try:
        path = song_file_path(song=song)
    except SongFileOutsideFolderError:
        song_fail(song_id=song.pk, failure=OUTSIDE_FOLDER)
        return Outcome.FAILED
    except SongFileUnavailableError as error:
        raise StorageUnavailableError(str(error)) from error
    try:
        prediction = predictor_for(version).predict_file(path)
    except InvalidAudioError as error:
        song_fail(song_id=song.pk, failure=SongFailure(str(error.code), error.message))
        return Outcome.FAILED
    except ValueError:
        # Non-finite or zero embeddings: the model's fault, not the file's.
        logger.exception("model %s failed on song %s", version.name, song.pk)
        song_fail(song_id=song.pk, failure=MODEL_ERROR)
        return Outcome.FAILED
    return analysis_store(song_id=song.pk, version=version, prediction=prediction)


def analysis_store(*, song_id: int, version: ModelVersion, prediction: TrackPrediction) -> Outcome:
    """Upsert the analysis and mark the song done, atomically."""
    analysis = Analysis(
        song_id=song_id,
        model_version=version,
        probabilities={k: round(v, 6) for k, v in prediction.probabilities.items()},
        predicted_genre=prediction.predicted_genre,
        confidence=prediction.confidence,
        embedding=prediction.embedding,
        tags=prediction.tags,
        segment_count=prediction.segment_count,
        is_unsure=prediction.is_unsure,
        music_score=prediction.music_score,
        is_not_music=prediction.is_not_music,
    )
    try:
        with transaction.atomic():
            Analysis.objects.bulk_create(
                [analysis],
                update_conflicts=True,
                unique_fields=["song", "model_version"],
                update_fields=[
                    "probabilities", "predicted_genre", "confidence", "embedding", "tags",
                    "segment_count", "is_unsure", "music_score", "is_not_music",
                ],
            )  # fmt: skip
            _mark_done(song_id)
    except IntegrityError:
        # The song was deleted while we analysed it (the foreign key no longer holds).
        if not Song.objects.filter(pk=song_id).exists():
            return Outcome.GONE
        raise
    return Outcome.DONE


def _mark_done(song_id: int) -> None:
    Song.objects.filter(pk=song_id).exclude(status=Song.Status.DONE).update(
        status=Song.Status.DONE, error_code="", error_message="", updated_at=timezone.now()
    )
