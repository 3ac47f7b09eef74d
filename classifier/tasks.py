"""Celery tasks: thin adapters over `classifier.analysis`, `classifier.pipeline` and heartbeats."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from classifier.analysis import (
    STORAGE_UNAVAILABLE,
    TIMEOUT,
    StorageUnavailableError,
    song_analyze,
    song_fail,
)
from classifier.heartbeats import worker_heartbeat_record
from classifier.labelling import RETRAIN_TASK
from classifier.pipeline import (
    ANALYZE_SONG,
    ANALYZE_SONGS,
    library_reanalyze,
    songs_analyze,
    songs_sweep,
)
from classifier.retraining import training_run_execute

logger = logging.getLogger(__name__)

# Only what can succeed next time: the database or the file store being briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, StorageUnavailableError)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name=ANALYZE_SONG,
    # Idempotent (advisory lock + upsert), so a task whose worker died may safely run again.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def analyze_song(
    self: Task, song_id: int, model_version_id: int | None = None, force: bool = False
) -> str:
    try:
        return song_analyze(song_id=song_id, model_version_id=model_version_id, force=force).value
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            logger.error("song %s: giving up after %s retries: %s", song_id, MAX_RETRIES, error)
            if isinstance(error, StorageUnavailableError):
                song_fail(song_id=song_id, failure=STORAGE_UNAVAILABLE)
            raise
        countdown = min(300, 5 * 2**self.request.retries)
        logger.warning("song %s: %s; retrying in %s s", song_id, error, countdown)
        raise self.retry(exc=error, countdown=countdown) from error
    except SoftTimeLimitExceeded:
        song_fail(song_id=song_id, failure=TIMEOUT)
        return "failed"


@shared_task(
    name=ANALYZE_SONGS,
    # Idempotent like analyze_song (each song: advisory lock + upsert): a batch whose worker died
    # is delivered again instead of being lost until the sweeper notices the stall.
    acks_late=True,
    reject_on_worker_lost=True,
)
def analyze_songs(song_ids: list[int], model_version_id: int) -> dict[str, int]:
    """A batch of (re-)analyses with one model version loaded once, e.g. after a model switch."""
    return songs_analyze(song_ids=song_ids, model_version_id=model_version_id)


@shared_task(name="classifier.reanalyze_library")
def reanalyze_library(model_version_id: int) -> int:
    """Queue analyses for every song the version has not analysed yet, in batches."""
    return library_reanalyze(model_version_id=model_version_id)


@shared_task(name="classifier.sweep")
def sweep() -> dict[str, int]:
    """Re-queue songs stuck after a worker crash or a broker loss (run by Celery beat)."""
    return songs_sweep()


@shared_task(name="workers.heartbeat", ignore_result=True)
def heartbeat(token: str = "") -> None:
    """Record that a worker is alive and can reach the database (run by Celery beat).

    Named outside `classifier.*` so it runs on the default queue: it tells whether that queue's
    workers are alive.
    """
    worker_heartbeat_record(hostname=heartbeat.request.hostname or "unknown", token=token)


@shared_task(name=RETRAIN_TASK)
def retrain_model(run_id: int) -> str:
    """ "Retrain now": train on every labelled song, activate if cross-validation is not worse."""
    return training_run_execute(run_id=run_id)
