"""Reads for the library and the health report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from recommender.models import Song, WorkerHeartbeat


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
