"""Reads for the library and the health report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from classifier.library import SWEEP_HEARTBEAT_NAME
from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_active, model_version_serving
from recommender.models import Like, Song, WorkerHeartbeat
from recommender.recommendations import songs_visible_to

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
    """The newest heartbeat of a worker (the sweeper's own record is not a worker's)."""
    return (
        WorkerHeartbeat.objects.exclude(hostname=SWEEP_HEARTBEAT_NAME).order_by("-seen_at").first()
    )


def sweep_latest() -> WorkerHeartbeat | None:
    """When the sweeper last ran (classifier.library.songs_sweep records it)."""
    return WorkerHeartbeat.objects.filter(hostname=SWEEP_HEARTBEAT_NAME).first()


@dataclass(frozen=True)
class ScheduleHealth:
    """Whether beat's periodic tasks run: the worker heartbeat and the sweeper are recent."""

    ok: bool
    detail: str
    heartbeat_seconds: float | None
    sweep_seconds: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "detail": self.detail,
            "last_heartbeat_seconds": self.heartbeat_seconds,
            "last_sweep_seconds": self.sweep_seconds,
        }


def health_schedule() -> ScheduleHealth:
    """Degraded when no worker heartbeat is younger than HEALTH_HEARTBEAT_MAX_AGE, or the last
    sweep is older than HEALTH_SWEEP_MAX_AGE: beat, or every worker, has stopped.

    A sweep that has never run is not an alarm (beat's first sweep comes a minute after it
    starts); a heartbeat that has never come is.
    """
    now = timezone.now()
    heartbeat, sweep = heartbeat_latest(), sweep_latest()
    heartbeat_age = round((now - heartbeat.seen_at).total_seconds(), 1) if heartbeat else None
    sweep_age = round((now - sweep.seen_at).total_seconds(), 1) if sweep else None
    problems = []
    if heartbeat_age is None:
        problems.append("no worker heartbeat yet: are the worker and beat running?")
    elif heartbeat_age > settings.HEALTH_HEARTBEAT_MAX_AGE:
        problems.append(
            f"last worker heartbeat {heartbeat_age:.0f} s ago "
            f"(over {settings.HEALTH_HEARTBEAT_MAX_AGE:.0f} s): beat or the workers stopped"
        )
    if sweep_age is not None and sweep_age > settings.HEALTH_SWEEP_MAX_AGE:
        problems.append(
            f"last sweep {sweep_age:.0f} s ago (over {settings.HEALTH_SWEEP_MAX_AGE:.0f} s): "
            "beat or the workers stopped"
        )
    detail = "; ".join(problems) or "heartbeat and sweeps on time"
    return ScheduleHealth(not problems, detail, heartbeat_age, sweep_age)


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


# --- browsing (the API) ------------------------------------------------------------------------

# ?ordering= values and the columns they sort by; ties broken by id so that pages never overlap.
SONG_ORDERINGS: dict[str, tuple[str, ...]] = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "artist": ("artist", "title", "id"),
    "-artist": ("-artist", "-title", "-id"),
}


def prediction_versions() -> list[ModelVersion]:
    """The versions whose predictions the library shows, preferred first: serving, then active.

    They differ only while a newly activated version re-analyses the library: a song shows the
    serving version's genre (the one recommendations use) until then, and a song only the new
    version has analysed (a new upload) shows the new version's.
    """
    serving = model_version_serving()
    if serving is None or serving.is_active:
        return [serving] if serving is not None else []
    active = model_version_active()
    return [serving, active] if active is not None else [serving]


def _preferred_analyses(versions: list[ModelVersion]) -> QuerySet[Analysis]:
    """Analyses by `versions`, the most preferred version's first."""
    ids = [version.pk for version in versions]
    preference = Case(
        *(When(model_version_id=pk, then=Value(rank)) for rank, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return Analysis.objects.filter(model_version_id__in=ids).order_by(preference)


def with_predicted_genre(songs: QuerySet[Song], *, versions: list[ModelVersion]) -> QuerySet[Any]:
    """`songs` annotated with `predicted_genre` by the first of `versions` that analysed each."""
    # QuerySet[Any]: django-stubs cannot follow an annotation made here into callers' filters.
    predicted: Subquery | Value
    if versions:
        predicted = Subquery(
            _preferred_analyses(versions).filter(song=OuterRef("pk")).values("predicted_genre")[:1]
        )
    else:
        predicted = Value(None, output_field=CharField())
    return songs.annotate(predicted_genre=predicted)


def song_list_visible(
    *,
    user: Any,
    versions: list[ModelVersion],
    q: str = "",
    genre: str = "",
    status: str = "",
    source: str = "",
    mine: bool = False,
    ordering: str = "-created_at",
) -> QuerySet[Song]:
    """The songs `user` may see, filtered, each with `predicted_genre`, `like_count`, `liked_by_me`.

    `versions` from ``prediction_versions``; `genre` matches the predicted genre shown. The like
    count is a subquery, not a join: a page of a large library counts the likes of its songs only.
    """
    likes = Like.objects.filter(song=OuterRef("pk")).order_by().values("song")
    songs = with_predicted_genre(songs_visible_to(user=user), versions=versions).annotate(
        like_count=Coalesce(Subquery(likes.annotate(n=Count("pk")).values("n")), 0),
        liked_by_me=Exists(likes.filter(user_id=user.pk)),
    )
    if q:
        songs = songs.filter(Q(title__icontains=q) | Q(artist__icontains=q))
    if genre:
        songs = songs.filter(predicted_genre=genre)
    if status:
        songs = songs.filter(status=status)
    if source:
        songs = songs.filter(source=source)
    if mine:
        songs = songs.filter(owner_id=user.pk)
    return songs.order_by(*SONG_ORDERINGS[ordering])


def song_analysis_shown(*, song: Song, versions: list[ModelVersion]) -> Analysis | None:
    """The analysis behind the song's shown prediction (see ``prediction_versions``), if any."""
    if not versions:
        return None
    return _preferred_analyses(versions).filter(song=song).select_related("model_version").first()


def like_list_for_user(*, user: Any) -> QuerySet[Like]:
    """The user's likes, newest first, of songs they may still see."""
    return (
        Like.objects.filter(user_id=user.pk, song__in=songs_visible_to(user=user))
        .select_related("song")
        .order_by("-created_at", "-id")
    )


def song_like_count(*, song: Song) -> int:
    return Like.objects.filter(song=song).count()
