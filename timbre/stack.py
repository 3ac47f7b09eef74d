"""Run Timbre's processes with real servers behind them: ``python -m timbre.stack``.

``make run`` and ``make test`` call this. When ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are unset
it starts the embedded PostgreSQL and Redis (see ``timbre.embedded``), exports their URLs to
the child processes, and stops what it started when they end (or on Ctrl-C). With the URLs set,
nothing embedded starts and the same commands use the external servers.

    python -m timbre.stack run            # migrate, worker, beat, gunicorn on 127.0.0.1:8000
    python -m timbre.stack run --dev      # the same with DEBUG on and Django's autoreloader
    python -m timbre.stack test [ARGS]    # pytest ARGS against the real servers
    python -m timbre.stack exec -- CMD    # any command with the servers up
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from gunicorn import config as gunicorn_config

from timbre import embedded, paths
from timbre.env import redis_cache_url
from timbre.supervisor import GaveUp, ProcessSpec, Supervisor

PYTHON = sys.executable
MANAGE = str(paths.BASE_DIR / "manage.py")
# Tests use their own Redis database so that a running `make run` worker ignores them.
TEST_BROKER_DB = 15
TEST_CACHE_DB = 14  # and their own cache, which they clear, beside `make run`'s (database 1)


def _dev_secret_key(root: Path) -> str:
    """A per-checkout secret for local runs, kept under the data folder, never committed."""
    path = root / "secret_key"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


@contextlib.contextmanager
def services(*, test: bool = False, debug: bool = True) -> Iterator[dict[str, str]]:
    """Start the embedded servers that are needed and yield the environment for child processes."""
    root = paths.data_dir()
    env = dict(os.environ)
    started: list[embedded.EmbeddedPostgres | embedded.EmbeddedRedis] = []
    try:
        if not env.get("DATABASE_URL"):
            print("· starting embedded PostgreSQL (pgvector) in", paths.pgdata_dir(root))
            postgres = embedded.EmbeddedPostgres(root)
            postgres.start()
            started.append(postgres)
            env["DATABASE_URL"] = paths.embedded_database_url(root)
        if not env.get("CELERY_BROKER_URL"):
            print("· starting embedded Redis in", paths.redis_dir(root))
            broker = embedded.EmbeddedRedis(root)
            broker.start()
            started.append(broker)
            env["CELERY_BROKER_URL"] = paths.embedded_broker_url(
                root, db=TEST_BROKER_DB if test else 0
            )
        if test:
            cache_url = redis_cache_url(env["CELERY_BROKER_URL"], db=TEST_CACHE_DB)
            env.setdefault("CACHE_URL", cache_url or "locmem://")
        env.setdefault("TIMBRE_DATA_DIR", str(root))
        # Tests, `make dev` and `make manage` use DEBUG; `make run` serves with it off. Either
        # way, a SECRET_KEY generated once and kept in the data folder unless one is set.
        if debug:
            env.setdefault("DEBUG", "1")
        env.setdefault("SECRET_KEY", _dev_secret_key(root))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up banner is noise here
        yield env
    finally:
        for service in reversed(started):
            service.stop()


def worker_queues(env: dict[str, str] | os._Environ[str]) -> str:
    """The queues a worker consumes: the classifier's and the default one (see settings)."""
    classifier = env.get("CELERY_CLASSIFIER_QUEUE") or "classifier"
    default = env.get("CELERY_DEFAULT_QUEUE") or "celery"
    return f"{classifier},{default}"


def worker_command(
    *, env: dict[str, str] | None = None, concurrency: int = 1, extra: Sequence[str] = ()
) -> list[str]:
    return [
        PYTHON, "-m", "celery", "-A", "timbre", "worker",
        "--queues", worker_queues(env if env is not None else os.environ),
        "--concurrency", str(concurrency), "--loglevel", "INFO", *extra,
    ]  # fmt: skip


def beat_command(*, schedule: Path) -> list[str]:
    """Celery beat on its own: the sweeper and the heartbeat (see CELERY_BEAT_SCHEDULE)."""
    return [
        PYTHON, "-m", "celery", "-A", "timbre", "beat",
        "--schedule", str(schedule), "--loglevel", "INFO",
    ]  # fmt: skip


WEB_THREADS = 4


def web_workers(env: dict[str, str] | os._Environ[str]) -> int:
    """Gunicorn processes: WEB_CONCURRENCY, else one per core plus one (each runs WEB_THREADS
    threads, which overlap the database round trips and keep connections alive)."""
    if env.get("WEB_CONCURRENCY"):
        return max(1, int(env["WEB_CONCURRENCY"]))
    return len(os.sched_getaffinity(0)) + 1


def gunicorn_command(*, host: str, port: int, workers: int) -> list[str]:
    command = [
        PYTHON, "-m", "gunicorn", "timbre.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(WEB_THREADS),
        # Uploads of many large files are probed while the request waits.
        "--timeout", "300", "--graceful-timeout", "20",
    ]  # fmt: skip
    if any(setting.name == "control_socket" for setting in gunicorn_config.KNOWN_SETTINGS):
        # Gunicorn 25+ opens a control socket, by default one per user in ~/.gunicorn: keep
        # ours in the data folder so that two checkouts' servers never share it.
        command += ["--control-socket", str(_control_socket(port))]
    return command


def _control_socket(port: int) -> Path:
    path = paths.data_dir() / f"gunicorn-{port}.ctl"
    if len(str(path)) <= 100:  # Unix socket paths are limited to 107 bytes
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"timbre-{digest}-gunicorn.ctl"


def run(env: dict[str, str], *, host: str, port: int, dev: bool = False) -> int:
    subprocess.run([PYTHON, MANAGE, "migrate", "--noinput"], env=env, check=True)
    # Hook for first-run set-up (demo library, first model); a no-op when there is nothing to do.
    subprocess.run([PYTHON, MANAGE, "bootstrap"], env=env, check=True)
    if env.get("MUSIC_DIRS"):
        # Beat re-scans every MUSIC_SCAN_MINUTES; the first scan starts now, in the worker.
        subprocess.run([PYTHON, MANAGE, "scan_library", "--background"], env=env, check=True)
    if dev:
        web = [PYTHON, MANAGE, "runserver", f"{host}:{port}"]  # reloads on code changes
    else:
        # Whitenoise serves the collected files (admin's too) from STATIC_ROOT.
        subprocess.run([PYTHON, MANAGE, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        web = gunicorn_command(host=host, port=port, workers=web_workers(env))
    supervisor = Supervisor(
        [
            ProcessSpec("worker", worker_command(env=env)),
            # Beat in its own process, restarted if it exits, so that the sweeper of stuck songs
            # and the heartbeat /healthz checks never stop with it unnoticed.
            ProcessSpec("beat", beat_command(schedule=paths.data_dir() / "celerybeat-schedule")),
            ProcessSpec("web", web),
        ],
        env=env,
    )
    supervisor.start()
    print(
        f"\nTimbre is running at http://{host}:{port}/  (Ctrl-C stops everything)\n"
        "Create an admin user in another terminal with:  make admin\n",
        flush=True,
    )
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            supervisor.check()
            time.sleep(0.5)
    except GaveUp as error:
        print(f"\n· {error}", flush=True)
        return 1
    finally:
        print("\n· stopping Timbre", flush=True)
        supervisor.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m timbre.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="migrate, then start the worker and the web server")
    run_parser.add_argument("--host", default="127.0.0.1")
    run_parser.add_argument("--port", type=int, default=8000)
    run_parser.add_argument(
        "--dev", action="store_true", help="DEBUG on, Django's autoreloading development server"
    )
    sub.add_parser("test", help="run pytest against the real servers: test [PYTEST ARGS]")
    sub.add_parser("exec", help="run a command with the servers up: exec -- CMD [ARGS]")
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `test` / `exec` belongs to pytest or the command, untouched by argparse.
    if argv and argv[0] in {"test", "exec"}:
        command, rest = argv[0], argv[1:]
        if command == "test":
            with services(test=True) as env:
                run_id = os.getpid()
                env.setdefault("TEST_DATABASE_NAME", f"test_{paths.DATABASE_NAME}_{run_id}")
                env.setdefault("CELERY_CLASSIFIER_QUEUE", f"test-{run_id}-classifier")
                env.setdefault("CELERY_DEFAULT_QUEUE", f"test-{run_id}-celery")
                return subprocess.run([PYTHON, "-m", "pytest", *rest], env=env).returncode
        args = rest[1:] if rest[:1] == ["--"] else rest
        if not args:
            parser.error("exec needs a command")
        with services() as env:
            return subprocess.run(args, env=env).returncode
    options = parser.parse_args(argv)
    with services(debug=options.dev) as env:
        return run(env, host=options.host, port=options.port, dev=options.dev)


if __name__ == "__main__":
    sys.exit(main())
