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
from classifier.pipeline import SWEEP_HEARTBEAT_NAME
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
    """The newest heartbeat of a worker (the sweeper's own record is not a worker's)."""
    return (
        WorkerHeartbeat.objects.exclude(hostname=SWEEP_HEARTBEAT_NAME).order_by("-seen_at").first()
    )


def sweep_latest() -> WorkerHeartbeat | None:
    """When the sweeper last ran (classifier.pipeline.songs_sweep records it)."""
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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = health_database()
    broker = health_broker()
    model = model_version_active() if database.ok else None
    heartbeat = heartbeat_latest() if database.ok else None
    schedule = health_schedule() if database.ok else None
    ok = database.ok and broker.ok
    degraded = ok and schedule is not None and not schedule.ok
    reasons = [
        f"{name}: {part.detail}"
        for name, part in (("database", database), ("broker", broker), ("beat", schedule))
        if part is not None and not part.ok
    ]
    body = {
        "status": ("degraded" if degraded else "ok") if ok else "unavailable",
        "reason": "; ".join(reasons),
        "database": database.to_dict(),
        "broker": broker.to_dict(),
        "model": {
            "ok": model is not None,
            "active": model.name if model else None,
            "detail": "active" if model else "no active model: uploads wait until one is trained",
        },
        "beat": schedule.to_dict() if schedule else None,
        "worker": {
            "last_seen_seconds": (
                round((timezone.now() - heartbeat.seen_at).total_seconds(), 1)
                if heartbeat
                else None
            ),
        },
    }
    return JsonResponse(body, status=200 if ok and not degraded else 503)
