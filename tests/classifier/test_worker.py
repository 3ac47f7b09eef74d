"""A real Celery worker on the real broker runs tasks and writes to the database."""

from __future__ import annotations

import time
import uuid

import pytest

from classifier.models import WorkerHeartbeat
from classifier.tasks import heartbeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_worker_runs_task_and_writes_to_database(celery_worker) -> None:
    token = uuid.uuid4().hex

    heartbeat.delay(token)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(token=token).exists():
        time.sleep(0.1)
    beat = WorkerHeartbeat.objects.get(token=token)
    assert beat.hostname.startswith("test-")
