"""Reads for model versions and analyses."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Count, QuerySet

from classifier.artifacts import CONFUSION_FILENAME, model_version_artifact_dir
from classifier.models import ModelVersion
from library.models import Genre, Song


def model_version_active() -> ModelVersion | None:
    """The version new uploads are analysed with."""
    return ModelVersion.objects.filter(is_active=True).first()


def songs_missing_analysis(*, version: ModelVersion) -> QuerySet[Song]:
    """Songs that should have an analysis by `version` and do not (yet)."""
    return Song.objects.filter(status__in=[Song.Status.PENDING, Song.Status.DONE]).exclude(
        analyses__model_version=version
    )


def model_version_serving() -> ModelVersion | None:
    """The version recommendations use: never a mix of two versions' embeddings.

    The active version once it has analysed every analysed song (`library_covered_at`, set by
    `classifier.pipeline.model_version_mark_covered`); until then the version that served before
    it. One query in the common case: deciding coverage scans the song table, so it is recorded
    once rather than recomputed per request.
    """
    active = model_version_active()
    if active is None or active.library_covered_at is not None:
        return active
    previous = (
        ModelVersion.objects.filter(library_covered_at__isnull=False)
        .exclude(pk=active.pk)
        .order_by("-activated_at")
        .first()
    )
    return previous or active


def model_version_list() -> QuerySet[ModelVersion]:
    """Every version, newest first, each with `analysis_count`: the songs it has analysed."""
    return ModelVersion.objects.annotate(analysis_count=Count("analyses")).order_by(
        "-created_at", "-id"
    )


def model_version_confusion_path(*, version: ModelVersion) -> Path:
    """The test-set confusion matrix picture in `version`'s artifact folder (it may be missing)."""
    return model_version_artifact_dir(version) / CONFUSION_FILENAME


def model_version_knows_only_synthetic() -> bool:
    """Whether the active model's genres are all synthetic demo styles (it knows no real music)."""
    active = model_version_active()
    if active is None or not active.class_names:
        return False
    real = Genre.objects.filter(name__in=active.class_names, is_synthetic=False)
    return not real.exists()
