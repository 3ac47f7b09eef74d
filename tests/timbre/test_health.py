"""/healthz tells an operator whether the database, broker and model are usable."""

from __future__ import annotations

import pytest
from django.test import Client

from classifier.heartbeats import worker_heartbeat_record
from tests.factories import make_model_version

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_missing_model() -> None:
    worker_heartbeat_record(hostname="worker@test")

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert "pgvector" in body["database"]["detail"]
    assert body["broker"]["ok"] is True
    assert body["model"] == {
        "ok": False,
        "active": None,
        "detail": "no active model: uploads wait until one is trained",
    }


def test_healthz_names_the_active_model() -> None:
    make_model_version(name="musicnn-first", is_active=True)

    body = Client().get("/healthz").json()

    assert body["model"]["ok"] is True
    assert body["model"]["active"] == "musicnn-first"


def test_healthz_reports_unreachable_broker(settings) -> None:
    settings.CELERY_BROKER_URL = "redis+socket:///nonexistent/redis.sock"

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
