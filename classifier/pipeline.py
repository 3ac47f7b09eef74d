"""Library-wide analysis work: queueing, re-analysis after a model switch, and the sweeper."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from kombu.exceptions import KombuError

from classifier.analysis import song_analyze, song_is_locked
from classifier.models import Analysis, ModelVersion, WorkerHeartbeat
from classifier.selectors import model_version_active, songs_missing_analysis
from library.models import Song
from library.signals import QueueReceipt

logger = logging.getLogger(__name__)

# Each sweep is recorded as a heartbeat under this name; /healthz reports how long ago it ran.
SWEEP_HEARTBEAT_NAME = "sweeper"
REANALYSIS_BATCH_SIZE = 16  # songs per task: one model load, and GPU-friendly batches
# Tasks are sent by name (`classifier.tasks` defines them over this module's functions).
ANALYZE_SONG = "classifier.analyze_song"
ANALYZE_SONGS = "classifier.analyze_songs"
# What sending a task raises when the broker (Redis) is stopped or unreachable.
BROKER_ERRORS = (KombuError, redis.exceptions.RedisError, OSError)
# After a failed send, later ones skip the broker for this long instead of each waiting for its
# own connection attempts (about 0.6 s): an upload of 20 files answers at once.
BROKER_RETRY_AFTER_SECONDS = 10.0


class _BrokerState:
    down_until = 0.0  # time.monotonic() before which sends are not attempted


def enqueue_analysis(
    *,
    song_ids: Iterable[int],
    model_version_id: int | None = None,
    force: bool = False,
    receipt: QueueReceipt | None = None,
) -> QueueReceipt:
    """Queue analyses once the current transaction commits (a worker must see the rows).

    Never raises for a broker that is down: the committed songs are kept, pending, and the
    receipt (`receipt`, else a new one) says they were not sent; the sweeper sends them later.
    """
    ids = list(song_ids)
    receipt = receipt if receipt is not None else QueueReceipt()

    def send() -> None:
        if time.monotonic() < _BrokerState.down_until:
            receipt.sent = False
            return
        try:
            for song_id in ids:
                current_app.send_task(ANALYZE_SONG, args=(song_id, model_version_id, force))
        except BROKER_ERRORS as error:
            _BrokerState.down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
            receipt.sent = False
            logger.warning(
                "queue unavailable, songs %s stay pending until the sweeper sends them: %s",
                ids, error,
            )  # fmt: skip
        else:
            receipt.sent = True

    transaction.on_commit(send)
    return receipt


def model_version_mark_covered(*, version: ModelVersion) -> bool:
    """Record that the active `version` has analysed every song, if it has; returns whether.

    Costs a scan of the song table, so it runs once per re-analysis batch and sweep, never per
    request. Once covered, a version stays covered while it is active: new songs are analysed by
    it. Recommendations switch to it from then on (`model_version_serving`).
    """
    if version.library_covered_at is not None:
        return True
    if songs_missing_analysis(version=version).filter(status=Song.Status.DONE).exists():
        return False
    # Only while still active: a version switched away from meanwhile must not claim to serve.
    updated = ModelVersion.objects.filter(
        pk=version.pk, is_active=True, library_covered_at__isnull=True
    ).update(library_covered_at=timezone.now())
    if updated:
        logger.info("%s has analysed the whole library; recommendations use it now", version.name)
    return bool(updated)


def songs_analyze(*, song_ids: list[int], model_version_id: int) -> dict[str, int]:
    """Analyse a batch of songs with one version, then see whether it now covers the library."""
    counts: dict[str, int] = {}
    for song_id in song_ids:
        try:
            outcome = song_analyze(song_id=song_id, model_version_id=model_version_id).value
        except Exception:  # one bad song must not stop the batch; the sweeper retries
            logger.exception("re-analysis of song %s failed", song_id)
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1
    version = ModelVersion.objects.filter(pk=model_version_id, is_active=True).first()
    if version is not None:
        model_version_mark_covered(version=version)
    return counts


def library_reanalyze(*, model_version_id: int) -> int:
    """Queue every song without an analysis from this version, in batches; returns the count."""
    version = ModelVersion.objects.filter(pk=model_version_id).first()
    if version is None:
        return 0
    ids = list(songs_missing_analysis(version=version).values_list("id", flat=True))
    if not ids and version.is_active:
        model_version_mark_covered(version=version)
    for start in range(0, len(ids), REANALYSIS_BATCH_SIZE):
        current_app.send_task(
            ANALYZE_SONGS, args=(ids[start : start + REANALYSIS_BATCH_SIZE], version.pk)
        )
    logger.info("queued %s songs for analysis by %s", len(ids), version.name)
    return len(ids)


def songs_sweep() -> dict[str, int]:
    """Re-queue what a crash or a lost broker left behind. Safe to run any time, any number.

    - pending songs older than the grace period (their task may have been lost with the broker);
    - processing songs whose advisory lock nobody holds (their worker died);
    - songs the active version still lacks, when its re-analysis has made no progress for the
      grace period (a lost batch).
    Re-queued songs get a fresh `updated_at`, so each sweep re-queues a song at most once per
    grace period.
    """
    WorkerHeartbeat.objects.update_or_create(
        hostname=SWEEP_HEARTBEAT_NAME, defaults={"token": "", "seen_at": timezone.now()}
    )
    active = model_version_active()
    if active is None:
        return {"pending": 0, "orphaned": 0}
    covered = model_version_mark_covered(version=active)
    cutoff = timezone.now() - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    pending = list(
        Song.objects.filter(status=Song.Status.PENDING, updated_at__lt=cutoff).values_list(
            "id", flat=True
        )[:1000]
    )
    orphaned = [
        song_id
        for song_id in Song.objects.filter(
            status=Song.Status.PROCESSING, updated_at__lt=cutoff
        ).values_list("id", flat=True)[:1000]
        if not song_is_locked(song_id)
    ]
    stale = pending + orphaned
    if stale:
        Song.objects.filter(pk__in=stale).update(updated_at=timezone.now())
        enqueue_analysis(song_ids=stale)
        logger.warning(
            "sweeper re-queued %s pending and %s orphaned songs", len(pending), len(orphaned)
        )
    # Both checks scan the song table: a covered version has no re-analysis left to stall.
    stalled = not covered and _reanalysis_stalled(active, cutoff=cutoff)
    if stalled:
        library_reanalyze(model_version_id=active.pk)
    return {"pending": len(pending), "orphaned": len(orphaned), "reanalysis_restarted": stalled}


def _reanalysis_stalled(version: ModelVersion, *, cutoff: datetime) -> bool:
    """For a version that does not cover the library yet: no new analysis for a while?"""
    latest = Analysis.objects.filter(model_version=version).aggregate(latest=Max("created_at"))
    last_progress = latest["latest"] or version.activated_at or version.created_at
    return last_progress < cutoff
