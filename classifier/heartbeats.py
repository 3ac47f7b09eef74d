"""Workers report that they are alive; `/healthz` reads how long ago."""

from __future__ import annotations

from django.utils import timezone

from classifier.models import WorkerHeartbeat


def worker_heartbeat_record(*, hostname: str, token: str = "") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"token": token, "seen_at": timezone.now()}
    )
    return heartbeat
