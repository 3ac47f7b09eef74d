"""Session-wide fixtures: a real Celery worker process bound to the test database."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from rest_framework.test import APIClient

REPO = Path(__file__).resolve().parent.parent


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{settings_dict['NAME']}"


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_worker(
    *, log_path: Path, hostname: str | None = None, env_overrides: dict[str, str] | None = None
) -> WorkerProcess:
    """Start `celery worker` against the test database and wait until it runs a task.

    `hostname` names the worker (default: a unique test name); `env_overrides` change its
    environment (e.g. its own data folder).
    """
    from django.conf import settings
    from django.db import connection

    from classifier.models import WorkerHeartbeat
    from classifier.tasks import heartbeat
    from timbre.celery import app
    from timbre.stack import worker_command

    app.control.purge()  # tasks left in the test broker by an interrupted run are not ours

    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["DB_CONN_MAX_AGE"] = "0"  # the test run truncates tables between tests
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["MODEL_DIR"] = str(settings.MODEL_DIR)
    env["CACHE_DIR"] = str(settings.CACHE_DIR)
    env.update(env_overrides or {})
    hostname = hostname or f"test-{uuid.uuid4().hex[:8]}@%h"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        worker_command(
            env=env,
            extra=[
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
            ],
        ),
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    worker = WorkerProcess(process, log_path)
    node = hostname.split("@")[0] + "@"
    token = uuid.uuid4().hex
    deadline = time.monotonic() + 90
    next_beat = 0.0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.log()[-4000:]}")
        # Another worker already running may answer a heartbeat: wait for this one's own answer.
        if WorkerHeartbeat.objects.filter(token=token, hostname__startswith=node).exists():
            return worker
        if time.monotonic() >= next_beat:
            heartbeat.delay(token)
            next_beat = time.monotonic() + 2.0
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"celery worker did not start in 90 s:\n{worker.log()[-4000:]}")


def stop_worker(worker: WorkerProcess) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Throttle counters live in Redis and outlast a test (and a run): every test starts at 0."""
    from django.core.cache import cache
    from django.core.exceptions import ImproperlyConfigured

    try:
        cache.clear()
    except ImproperlyConfigured:  # pure tests may run with the Django plugin off
        return


@pytest.fixture(scope="session", autouse=True)
def _isolated_file_storage(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded audio and trained models of the test run go to a temporary folder."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.MEDIA_ROOT  # noqa: B018 - pure tests may run with the Django plugin off
    except ImproperlyConfigured:
        return
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.MODEL_DIR = tmp_path_factory.mktemp("models")
    settings.CACHE_DIR = tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None,
    django_db_blocker: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WorkerProcess]:
    """A real worker process on the real broker, shared by the tests that need one."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        worker = start_worker(log_path=tmp_path_factory.mktemp("worker") / "worker.log")
    yield worker
    stop_worker(worker)


@pytest.fixture
def ready_model(settings: Any) -> Any:
    """An active model version with a real artifact (untrained head), for pipeline tests."""
    from classifier.nets.weights_file import musicnn_weights_path
    from tests.factories import make_ready_model_version

    if not musicnn_weights_path().is_file():
        pytest.skip("musicnn weights not converted: run `make weights`")
    return make_ready_model_version(model_dir=Path(settings.MODEL_DIR))


# --- users: shared by the web, API and library tests -----------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # Password hashing is deliberately slow; the tests log in dozens of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user() -> AbstractBaseUser:
    from tests.factories import make_user  # models: only once Django is set up

    return make_user("ada")


@pytest.fixture
def api(user: AbstractBaseUser) -> APIClient:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client
