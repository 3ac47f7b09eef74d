"""Typed readers for settings from the environment that fail loudly on a bad value.

Modelled on healthchecks' ``envbool``/``envint``: a typo in a deployment's environment stops the
process at start-up with the variable's name, rather than running with a silent default.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_required(name: str, *, hint: str = "") -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set. {hint}".strip())
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}")
    return number


def env_choice(name: str, default: str, *, choices: tuple[str, ...]) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A request rate as Django REST framework writes it: '60/hour', '5/min', '1000/day'."""
    value = (os.environ.get(name) or default).strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 60/hour or 5/min")
    return value


def redis_cache_url(broker_url: str, *, db: int) -> str | None:
    """The URL of database `db` on the broker's Redis server, or None when the broker is not Redis.

    Celery (kombu) and redis-py spell a Unix socket differently: ``redis+socket:///run/r.sock``
    becomes ``unix:///run/r.sock?db=N``; ``redis://host:6379/0`` becomes ``redis://host:6379/N``.
    """
    parts = urlsplit(broker_url)
    if parts.scheme in {"redis", "rediss"}:
        # Kombu's options in the query are not redis-py's: leave them out.
        return urlunsplit((parts.scheme, parts.netloc or "localhost:6379", f"/{db}", "", ""))
    if parts.scheme in {"redis+socket", "socket"} and parts.path:
        return f"unix://{parts.path}?db={db}"
    return None


def cache_from_url(name: str, url: str) -> dict[str, str]:
    """A CACHES entry from a URL: redis://, rediss://, unix:// (Redis) or locmem://."""
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"{name}={url!r} is not a cache URL (redis://host:6379/1, unix:///path?db=1, locmem://)"
    )
