"""Reads for model versions and analyses."""

from __future__ import annotations

from django.db.models import QuerySet

from classifier.models import ModelVersion
from recommender.models import Song


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

    The active version once it has analysed every analysed song; until then the version that was
    active before it (its analyses still cover the library).
    """
    active = model_version_active()
    if active is None:
        return None
    if not songs_missing_analysis(version=active).filter(status=Song.Status.DONE).exists():
        return active
    previous = (
        ModelVersion.objects.filter(activated_at__isnull=False)
        .exclude(pk=active.pk)
        .order_by("-activated_at")
        .first()
    )
    return previous or active
