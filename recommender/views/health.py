"""Machine-readable health for load balancers and `docker compose` health checks."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from classifier.selectors import model_version_active
from recommender.selectors import (
    health_broker,
    health_database,
    health_schedule,
    heartbeat_latest,
)


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
