"""Reads for the library and the health report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum

from classifier.models import Analysis
from classifier.selectors import model_version_active
from recommender.models import Song, WorkerHeartbeat

WAITING_FOR_MODEL = "Waiting for a genre model to be trained"


@dataclass(frozen=True)
class ComponentHealth:
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail}


def health_database() -> ComponentHealth:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            row = cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy", reported as text
        return ComponentHealth(ok=False, detail=f"{type(error).__name__}: {error}"[:200])
    if row is None:
        return ComponentHealth(ok=False, detail="pgvector extension is not installed; run migrate")
    return ComponentHealth(ok=True, detail=f"PostgreSQL with pgvector {row[0]}")


def health_broker() -> ComponentHealth:
    from recommender.celery import app

    try:
        with app.connection_for_read(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy", reported as text
        return ComponentHealth(ok=False, detail=f"{type(error).__name__}: {error}"[:200])
    return ComponentHealth(ok=True, detail="reachable")


def heartbeat_latest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


def song_list_for_owner(*, owner: Any) -> QuerySet[Song]:
    return Song.objects.filter(owner=owner).select_related("genre")


def song_list_with_prediction(*, owner: Any) -> QuerySet[Song]:
    """The owner's songs, each with `predicted_genre`: the active model's, else the latest."""
    latest = Analysis.objects.filter(song=OuterRef("pk")).order_by(
        F("model_version__is_active").desc(), "-created_at"
    )
    return song_list_for_owner(owner=owner).annotate(
        predicted_genre=Subquery(latest.values("predicted_genre")[:1])
    )


def owner_storage_used(*, owner: Any) -> int:
    """Bytes the owner's songs take, as counted against USER_QUOTA_BYTES."""
    return Song.objects.filter(owner=owner).aggregate(used=Sum("size_bytes"))["used"] or 0


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_file_bytes: int
    quota_bytes: int
    used_bytes: int


def upload_limits(*, owner: Any) -> UploadLimits:
    return UploadLimits(
        max_files=settings.MAX_FILES_PER_UPLOAD,
        max_file_bytes=settings.MAX_UPLOAD_BYTES,
        quota_bytes=settings.USER_QUOTA_BYTES,
        used_bytes=owner_storage_used(owner=owner),
    )


def song_status_label(*, status: str, model_active: bool) -> str:
    """What the UI calls a status; a queued song with no model to run says why it waits."""
    if status == Song.Status.PENDING and not model_active:
        return WAITING_FOR_MODEL
    return str(Song.Status(status).label)


@dataclass(frozen=True)
class SongProgress:
    """Where a song is in the analysis pipeline, as the status endpoint reports it."""

    id: int
    status: str
    status_label: str
    error_code: str
    error_message: str
    predicted_genre: str | None

    @property
    def finished(self) -> bool:
        return self.status in (Song.Status.DONE, Song.Status.FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "status_label": self.status_label,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "predicted_genre": self.predicted_genre,
            "finished": self.finished,
        }


def song_progress_list(*, owner: Any, song_ids: list[int]) -> list[SongProgress]:
    """Progress of those of `song_ids` that belong to `owner` (others' ids are left out)."""
    model_active = model_version_active() is not None
    songs = song_list_with_prediction(owner=owner).filter(pk__in=song_ids).order_by("pk")
    return [
        SongProgress(
            id=song.pk,
            status=song.status,
            status_label=song_status_label(status=song.status, model_active=model_active),
            error_code=song.error_code,
            error_message=song.error_message,
            predicted_genre=getattr(song, "predicted_genre", None),  # annotated above
        )
        for song in songs
    ]
