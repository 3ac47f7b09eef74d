"""Health checks: the database, broker, active model and workers, as `/healthz` reports them.

Machine-readable, for load balancers and `docker compose` health checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from classifier.models import WorkerHeartbeat
from classifier.selectors import model_version_active
from timbre.celery import app


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
    try:
        with app.connection_for_read(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy", reported as text
        return ComponentHealth(ok=False, detail=f"{type(error).__name__}: {error}"[:200])
    return ComponentHealth(ok=True, detail="reachable")


def heartbeat_latest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = health_database()
    broker = health_broker()
    model = model_version_active() if database.ok else None
    heartbeat = heartbeat_latest() if database.ok else None
    ok = database.ok and broker.ok
    body = {
        "status": "ok" if ok else "unavailable",
        "database": database.to_dict(),
        "broker": broker.to_dict(),
        "model": {
            "ok": model is not None,
            "active": model.name if model else None,
            "detail": "active" if model else "no active model: uploads wait until one is trained",
        },
        "worker": {
            "last_seen_seconds": (
                round((timezone.now() - heartbeat.seen_at).total_seconds(), 1)
                if heartbeat
                else None
            ),
        },
    }
    return JsonResponse(body, status=200 if ok else 503)
