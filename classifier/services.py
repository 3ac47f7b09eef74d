"""Writes for the classifier: training runs become model versions; one version is active."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classifier.dataset import training_songs
from classifier.models import ModelVersion
from classifier.pipeline import BROKER_ERRORS

if TYPE_CHECKING:
    from classifier.trainer import Log, TrainingOptions, TrainingOutcome

logger = logging.getLogger(__name__)


def _new_version_name(architecture: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{architecture}-{stamp}"
    suffix = 1
    while ModelVersion.objects.filter(name=name).exists():
        suffix += 1
        name = f"{architecture}-{stamp}-{suffix}"
    return name


def model_version_train(
    *,
    options: TrainingOptions,
    activate: bool = False,
    include_demo: bool = False,
    log: Log = print,
) -> ModelVersion:
    """Train on the labelled songs, store the artifact under MODEL_DIR and register it.

    Synthetic demo songs are left out whenever real labelled songs exist (`include_demo` keeps
    them): a model mixing procedural styles with real genres calls real music "synthetic".
    """
    # Imported here: training loads Keras, which web processes (activating a model) never need.
    from classifier.trainer import LabelledSong, train

    songs = [
        LabelledSong(
            id=s.id,
            sha256=s.sha256,
            audio_path=Path(s.audio.path),
            genre=s.genre.name,
            artist=s.artist,
        )
        for s in training_songs(include_demo=include_demo)
        if s.genre is not None
    ]
    name = _new_version_name(options.architecture)
    artifact_dir = Path(settings.MODEL_DIR) / name
    outcome = train(songs=songs, options=options, artifact_dir=artifact_dir, log=log)
    version = model_version_register(name=name, outcome=outcome)
    if activate:
        model_version_activate(version=version)
    return version


def model_version_register(*, name: str, outcome: TrainingOutcome) -> ModelVersion:
    sidecar = outcome.sidecar
    return ModelVersion.objects.create(
        name=name,
        architecture=sidecar.architecture,
        artifact_path=str(outcome.artifact_dir.relative_to(Path(settings.MODEL_DIR))),
        feature_params=sidecar.feature_params,
        class_names=outcome.class_names,
        metrics=sidecar.metrics,
        training={
            "split": sidecar.split,
            "split_sizes": sidecar.split_sizes,
            "data_fingerprint": sidecar.data_fingerprint,
            "best_epoch": sidecar.training["best_epoch"],
            "epochs_run": sidecar.training["epochs_run"],
            "options": sidecar.training["options"],
            "calibration": sidecar.calibration,
        },
    )


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the one active model (the database allows only one)."""
    ModelVersion.objects.select_for_update().filter(is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    version.is_active = True
    version.activated_at = timezone.now()
    version.library_covered_at = None  # until it has caught up with every song
    version.save(update_fields=["is_active", "activated_at", "library_covered_at"])
    # Songs waiting for a model, and every song the new version has not heard yet; until it has
    # heard them all, recommendations keep using the previous version (model_version_serving).
    transaction.on_commit(lambda: _reanalysis_send(version))
    return version


def _reanalysis_send(version: ModelVersion) -> None:
    try:
        # By name: classifier.tasks imports this module (through the retraining task).
        current_app.send_task("classifier.reanalyze_library", args=[version.pk])
    except BROKER_ERRORS as error:
        # The activation stands; the sweeper restarts the stalled re-analysis once the queue is
        # back (classifier.pipeline.songs_sweep).
        logger.warning("queue unavailable, re-analysis by %s starts later: %s", version.name, error)
