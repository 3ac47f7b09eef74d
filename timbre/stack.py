"""Run Timbre's processes with real servers behind them: ``python -m timbre.stack``.

``make run`` and ``make test`` call this. When ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are unset
it starts the embedded PostgreSQL and Redis (see ``timbre.embedded``), exports their URLs to
the child processes, and stops what it started when they end (or on Ctrl-C). With the URLs set,
nothing embedded starts and the same commands use the external servers.

    python -m timbre.stack run            # migrate, worker, web server on 127.0.0.1:8000
    python -m timbre.stack test [ARGS]    # pytest ARGS against the real servers
    python -m timbre.stack exec -- CMD    # any command with the servers up
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from timbre import embedded, paths
from timbre.env import redis_cache_url

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
def services(*, test: bool = False) -> Iterator[dict[str, str]]:
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
        # Local runs and tests use development defaults (no HTTPS redirect, no secure-only
        # cookies); the deployment checklist is tested with DEBUG=0 on its own.
        env.setdefault("DEBUG", "1")
        env.setdefault("SECRET_KEY", _dev_secret_key(root))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up banner is noise here
        yield env
    finally:
        for service in reversed(started):
            service.stop()


def _terminate(processes: Sequence[subprocess.Popen[bytes]], *, grace: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        if process.poll() is None:
            process.kill()
            process.wait()


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


def run(env: dict[str, str], *, host: str, port: int) -> int:
    subprocess.run([PYTHON, MANAGE, "migrate", "--noinput"], env=env, check=True)
    # Hook for first-run set-up (demo library, first model); a no-op when there is nothing to do.
    subprocess.run([PYTHON, MANAGE, "bootstrap"], env=env, check=True)
    if env.get("MUSIC_DIRS"):
        # Beat re-scans every MUSIC_SCAN_MINUTES; the first scan starts now, in the worker.
        subprocess.run([PYTHON, MANAGE, "scan_library", "--background"], env=env, check=True)
    beat_schedule = paths.data_dir() / "celerybeat-schedule"
    processes = [
        # One worker with an embedded beat, which runs the sweeper of stuck songs every minute.
        subprocess.Popen(
            worker_command(env=env, extra=["--beat", "--schedule", str(beat_schedule)]), env=env
        ),
        subprocess.Popen([PYTHON, MANAGE, "runserver", f"{host}:{port}", "--noreload"], env=env),
    ]
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
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        print("\n· stopping Timbre", flush=True)
        _terminate(processes)
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
    with services() as env:
        return run(env, host=options.host, port=options.port)


if __name__ == "__main__":
    sys.exit(main())
