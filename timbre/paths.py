"""Where Timbre keeps its data, and the addresses of the embedded servers. Django-free, cheap.

The data folder (``TIMBRE_DATA_DIR``, default ``<repo>/.timbre``, git-ignored) holds the embedded
servers' data, media, models and caches. Settings read the embedded servers' URLs from here when
``DATABASE_URL`` / ``CELERY_BROKER_URL`` are not set; ``timbre.embedded`` starts the servers.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "timbre"
# Unix socket paths are limited to 107 bytes; longer ones go under the temp dir instead.
_MAX_SOCKET_PATH = 100


def data_dir() -> Path:
    """The git-ignored folder holding embedded server data, media, models and caches."""
    return Path(os.environ.get("TIMBRE_DATA_DIR") or BASE_DIR / ".timbre").resolve()


def pgdata_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "pgdata"


def redis_dir(root: Path | None = None) -> Path:
    return (root or data_dir()) / "redis"


def redis_socket_path(root: Path | None = None) -> Path:
    folder = redis_dir(root)
    socket = folder / "redis.sock"
    if len(str(socket)) <= _MAX_SOCKET_PATH:
        return socket
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"timbre-{digest}" / "redis.sock"


def _postgres_socket_dir(root: Path | None = None) -> Path:
    """The socket directory the running server recorded, else the pgdata folder.

    PostgreSQL writes its socket directory on line 5 of ``postmaster.pid``; pgserver may choose a
    shorter directory than pgdata when the path is long, so we read it rather than guess.
    """
    pgdata = pgdata_dir(root)
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return pgdata
    if len(lines) >= 5 and lines[4].strip():
        return Path(lines[4].strip())
    return pgdata


def embedded_database_url(root: Path | None = None, *, database: str = DATABASE_NAME) -> str:
    # libpq takes a socket folder as a %-encoded host.
    host = quote(str(_postgres_socket_dir(root)), safe="")
    return f"postgresql://postgres@{host}/{database}"


def embedded_broker_url(root: Path | None = None, *, db: int = 0) -> str:
    return f"redis+socket://{redis_socket_path(root)}?virtual_host={db}"
