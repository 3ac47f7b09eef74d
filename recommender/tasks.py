"""Housekeeping tasks for the default queue."""

from __future__ import annotations

from celery import shared_task

from recommender.services import worker_heartbeat_record


@shared_task(name="recommender.heartbeat", ignore_result=True)
def heartbeat(token: str = "") -> None:
    """Record that a worker is alive and can reach the database."""
    worker_heartbeat_record(hostname=heartbeat.request.hostname or "unknown", token=token)
