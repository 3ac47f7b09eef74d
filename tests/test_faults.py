"""Fault tests with the real servers: Redis stopped, PostgreSQL unreachable, beat killed.

Each ends with recovery: every song analysed exactly once, /healthz back to ok.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files import File
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from classifier import pipeline
from classifier.models import Analysis, ModelVersion, WorkerHeartbeat
from classifier.pipeline import songs_sweep
from classifier.selectors import model_version_serving
from classifier.services import model_version_activate
from demo.synth import write_song
from library.models import Song
from library.services import song_create
from library.services.uploads import QUEUE_DOWN_MESSAGE
from tests.conftest import _database_url
from tests.factories import make_ready_model_version, make_user
from tests.uploading import as_upload
from timbre import embedded, paths
from timbre.stack import beat_command
from timbre.supervisor import ProcessSpec, Supervisor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

PASSWORD = "correct horse battery"
FINAL = {Song.Status.DONE, Song.Status.FAILED}


def wait_for(condition: Callable[[], bool], *, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    with contextlib.suppress(redis.exceptions.RedisError):
        cache.clear()
    yield


@pytest.fixture
def stopped_redis() -> Iterator[embedded.EmbeddedRedis]:
    """Stops this test run's real redis-server; starts it again afterwards (its append-only file
    keeps the queues). Skipped when the run uses an external Redis."""
    server = embedded.EmbeddedRedis(paths.data_dir())
    if urlsplit(django_settings.CELERY_BROKER_URL).path != str(server.socket):
        pytest.skip("the broker is not this run's embedded Redis")
    with contextlib.suppress(redis.exceptions.ConnectionError):
        redis.Redis(unix_socket_path=str(server.socket)).shutdown(nosave=True)
    wait_for(lambda: not server.ping(), timeout=10, what="redis to stop")
    try:
        yield server
    finally:
        if not server.ping():
            _restart(server)


def _restart(server: embedded.EmbeddedRedis) -> None:
    server._launch()
    # This process remembers the failed sends for a few seconds; the sweeper's process would not.
    pipeline._BrokerState.down_until = 0.0


def test_redis_stopped_uploads_are_kept_and_log_ins_work_then_each_song_is_analysed_once(
    celery_worker: object,
    ready_model: ModelVersion,
    stopped_redis: embedded.EmbeddedRedis,
    tmp_path: Path,
    settings: object,
) -> None:
    owner = make_user("ada", password=PASSWORD)
    songs = [
        write_song(tmp_path / f"song-{n}.flac", style="synth-swing", seconds=8, seed=60 + n)
        for n in range(3)
    ]

    # Log-in, web form and API token: the failure counters fail open.
    web = Client()
    login = web.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert login.status_code == 302
    token = APIClient().post("/api/auth/token/", {"username": "ada", "password": PASSWORD})
    assert token.status_code == 200
    # Uploads, web and API: stored, and honest about the queue.
    page = web.post("/upload/", {"files": [as_upload(songs[0]), as_upload(songs[1])]})
    assert page.status_code == 200
    assert page.content.decode().count(QUEUE_DOWN_MESSAGE) == 2
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = api.post("/api/songs/", {"files": [as_upload(songs[2])]})
    assert response.status_code == 201
    assert response.json()["results"][0]["notice"] == QUEUE_DOWN_MESSAGE
    ids = list(Song.objects.filter(owner=owner).values_list("pk", flat=True))
    assert len(ids) == 3
    assert set(Song.objects.values_list("status", flat=True)) == {Song.Status.PENDING}
    assert Client().get("/healthz").status_code == 503

    _restart(stopped_redis)
    settings.SWEEP_GRACE_SECONDS = 0  # type: ignore[attr-defined]
    time.sleep(0.01)  # the songs are now older than the grace period
    assert songs_sweep()["pending"] == 3

    wait_for(
        lambda: Song.objects.filter(pk__in=ids, status__in=FINAL).count() == 3,
        timeout=180, what="the songs to be analysed",
    )  # fmt: skip
    assert set(Song.objects.values_list("status", flat=True)) == {Song.Status.DONE}
    for song_id in ids:
        assert Analysis.objects.filter(song_id=song_id).count() == 1
    assert set(Song.objects.values_list("attempts", flat=True)) == {1}


@contextlib.contextmanager
def database_unreachable() -> Iterator[None]:
    """PostgreSQL as this process sees it when the server is down: connections are refused."""
    host = connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"] = "/nonexistent-postgres-socket-dir"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"] = host


def test_database_down_answers_503_pages_and_api_json_then_recovers() -> None:
    client = Client()
    client.force_login(make_user())

    with database_unreachable():
        page = client.get("/")
        api = client.get("/api/songs/")
        login = Client().get("/accounts/login/")

    assert page.status_code == 503
    assert "Temporarily unavailable" in page.content.decode()
    assert page["Retry-After"] == "30"
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"
    assert set(api.json()) == {"code", "detail"}
    assert login.status_code in {200, 503}  # the log-in form needs no database until it posts
    # Back without a restart.
    assert client.get("/").status_code == 200
    assert client.get("/api/songs/").status_code == 200


def _pg_ctl() -> tuple[str, Path]:
    """pg_ctl of this run's embedded PostgreSQL and its data folder; skips for an external one."""
    pgdata = paths.pgdata_dir()
    try:
        postgres = (pgdata / "postmaster.opts").read_text().split()[0]
    except (OSError, IndexError):
        pytest.skip("the database is not this run's embedded PostgreSQL")
    return str(Path(postgres).with_name("pg_ctl")), pgdata


def test_postgres_restarted_during_an_analysis_loses_nothing(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path
) -> None:
    pg_ctl, pgdata = _pg_ctl()
    path = write_song(tmp_path / "long.flac", style="synth-swing", seconds=30, seed=70)
    with path.open("rb") as handle:
        song = song_create(
            owner=make_user(), upload=File(handle, name=path.name), original_filename=path.name
        ).song
    wait_for(
        lambda: Song.objects.filter(pk=song.pk, status=Song.Status.PROCESSING).exists(),
        timeout=60, what="the worker to claim the song",
    )  # fmt: skip

    # Every connection is dropped, the worker's too (its advisory lock goes with it). pgserver
    # runs the server as its own user when we are root; pg_ctl must run as that user too.
    owner = pgdata.stat().st_uid if os.geteuid() == 0 else None
    command = [pg_ctl, "-D", str(pgdata), "-l", str(pgdata / "log"), "restart", "-m", "fast", "-w"]
    subprocess.run(command, check=True, capture_output=True, timeout=60, user=owner)
    connection.close()

    wait_for(
        lambda: Song.objects.filter(pk=song.pk, status__in=FINAL).exists(),
        timeout=180, what="the analysis to finish after the restart",
    )  # fmt: skip
    finished = Song.objects.get(pk=song.pk)
    assert finished.status == Song.Status.DONE
    assert Analysis.objects.filter(song=song).count() == 1
    assert finished.attempts <= 2


def test_a_reanalysis_batch_whose_worker_died_is_delivered_again(
    celery_worker: object, ready_model: ModelVersion, tmp_path: Path, settings: object
) -> None:
    owner = make_user()
    ids = []
    for n in range(5):
        path = write_song(
            tmp_path / f"batch-{n}.flac", style="synth-techno", seconds=8, seed=80 + n
        )
        with path.open("rb") as handle:
            ids.append(
                song_create(owner=owner, upload=File(handle, name=path.name),
                            original_filename=path.name).song.pk
            )  # fmt: skip
    wait_for(
        lambda: Song.objects.filter(pk__in=ids, status=Song.Status.DONE).count() == len(ids),
        timeout=180, what="the first analyses",
    )  # fmt: skip
    new = make_ready_model_version(
        model_dir=Path(settings.MODEL_DIR),  # type: ignore[attr-defined]
        name="test-musicnn-batch", activate=False,
    )  # fmt: skip
    model_version_activate(version=new)

    # The batch has started (one song done by the new version): kill the pool process under it.
    wait_for(lambda: Analysis.objects.filter(model_version=new).exists(), what="the batch")
    for child in psutil.Process(celery_worker.process.pid).children():  # type: ignore[attr-defined]
        os.kill(child.pid, signal.SIGKILL)

    # No beat runs here: only the redelivered batch can finish the job.
    wait_for(
        lambda: Analysis.objects.filter(model_version=new).count() == len(ids),
        timeout=180, what="the rest of the batch",
    )  # fmt: skip
    wait_for(lambda: model_version_serving() == new, timeout=30, what="the switch")
    for song_id in ids:
        assert Analysis.objects.filter(song_id=song_id, model_version=new).count() == 1


def test_beat_killed_makes_healthz_degraded_and_is_restarted(
    celery_worker: object, tmp_path: Path, settings: object
) -> None:
    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    # Beat sends the heartbeat every second here (15 s by default).
    env["HEARTBEAT_INTERVAL_SECONDS"] = "1"
    env["SWEEP_INTERVAL_SECONDS"] = "1"
    settings.HEALTH_HEARTBEAT_MAX_AGE = 4  # type: ignore[attr-defined]
    supervisor = Supervisor(
        [ProcessSpec("beat", beat_command(schedule=tmp_path / "beat-schedule"))],
        env=env, restart_delay=0.2, log=lambda line: None,
    )  # fmt: skip

    def healthz_status() -> str:
        return Client().get("/healthz").json()["status"]

    def heartbeat_since(moment: object) -> bool:
        return (
            WorkerHeartbeat.objects.exclude(hostname=pipeline.SWEEP_HEARTBEAT_NAME)
            .filter(seen_at__gt=moment)
            .exists()
        )

    started = timezone.now()
    supervisor.start()
    try:
        wait_for(lambda: heartbeat_since(started), timeout=60, what="beat's first heartbeat")
        wait_for(lambda: healthz_status() == "ok", timeout=30, what="/healthz ok")
        first_pid = supervisor.pid("beat")
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)

        # Not restarted yet (check() restarts): /healthz notices the silence by itself.
        wait_for(lambda: healthz_status() == "degraded", timeout=30, what="/healthz degraded")
        assert "heartbeat" in Client().get("/healthz").json()["reason"]

        killed = timezone.now()
        wait_for(lambda: supervisor.check() or supervisor.pid("beat") != first_pid, timeout=10)
        wait_for(lambda: heartbeat_since(killed), timeout=60, what="a heartbeat after restart")
        wait_for(lambda: healthz_status() == "ok", timeout=30, what="/healthz ok again")
    finally:
        supervisor.stop()
