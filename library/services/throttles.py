"""Counters that refuse too many attempts: failed log-ins, sign-ups, uploaded files and bytes.

They count in the default cache (Redis, shared by every web process); a counter lives for one
period of its rate from its first count ("10/minute": 10, then a wait until that minute is over,
at most a minute). When the cache cannot be
reached they fail open: the attempt is allowed and a warning is logged, because a throttle that
locks everybody out while Redis restarts does more harm than the guesses it would stop.

Web views and API views call the same functions, so one limit covers both paths.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from library.upload_limits import UploadRefused, format_size

logger = logging.getLogger(__name__)

# What the Redis cache raises when the server is stopped, restarting or unreachable.
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERIOD_NAMES = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}


@dataclass(frozen=True)
class Rate:
    """A rate as the settings write it: "10/minute" is 10 per period of 60 s."""

    count: int
    period: int  # seconds
    period_name: str  # "a minute", for messages

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, unit = text.split("/")
        return cls(int(count), _PERIODS[unit[0]], _PERIOD_NAMES[unit[0]])


def _key(kind: str, *parts: str) -> str:
    # Hashed: usernames and addresses are client input, and cache keys must stay short and plain.
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"throttle:{kind}:{digest}"


def counter_get(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except CACHE_ERRORS as error:
        logger.warning("throttle counter %s unreadable, allowing: %s", key, error)
        return 0


def counter_add(key: str, amount: int, *, timeout: int) -> int:
    """Add `amount` to the counter (created with `timeout`); the new value, 0 if unreachable."""
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return int(cache.incr(key, amount))
        except ValueError:  # expired between the two calls
            cache.set(key, amount, timeout=timeout)
            return amount
    except CACHE_ERRORS as error:
        logger.warning("throttle counter %s not counted, allowing: %s", key, error)
        return 0


def counter_delete(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS as error:
        logger.warning("throttle counter %s not cleared: %s", key, error)


def client_address(request: HttpRequest) -> str:
    """DRF's client address: REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies only."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


# --- log-ins ----------------------------------------------------------------------------------


def username_normalise(username: str) -> str:
    """The account a log-in form's username names: as Django's form cleans it, then case-folded.

    The form strips surrounding whitespace (including no-break spaces) and NFKC-normalises
    (full-width letters become ASCII), so "carol", " carol", "carol\\xa0" and a full-width
    "carol" are one account and must share one failure counter.
    """
    return unicodedata.normalize("NFKC", username.strip()).strip().casefold()[:150]


@dataclass(frozen=True)
class LoginRefusal:
    retry_after: int
    period_name: str


def _login_keys(*, address: str, username: str) -> tuple[str, str]:
    return (
        _key("login", address, username_normalise(username)),
        _key("login-address", address),
    )


def login_refusal(*, address: str, username: str) -> LoginRefusal | None:
    """Why a log-in from `address` for `username` is refused before its password is checked.

    Refused after LOGIN_THROTTLE failures for this account from this address, or after
    LOGIN_ADDRESS_THROTTLE failures from this address for any accounts, until the window ends.
    """
    account_key, address_key = _login_keys(address=address, username=username)
    for key, text in (
        (account_key, settings.LOGIN_THROTTLE),
        (address_key, settings.LOGIN_ADDRESS_THROTTLE),
    ):
        rate = Rate.parse(text)
        if counter_get(key) >= rate.count:
            return LoginRefusal(rate.period, rate.period_name)
    return None


def login_failure_record(*, address: str, username: str) -> None:
    account_key, address_key = _login_keys(address=address, username=username)
    counter_add(account_key, 1, timeout=Rate.parse(settings.LOGIN_THROTTLE).period)
    counter_add(address_key, 1, timeout=Rate.parse(settings.LOGIN_ADDRESS_THROTTLE).period)


def login_success_record(*, address: str, username: str) -> None:
    """Forget this account's failures from this address (not the address's: one good account
    must not reset the guesses made against others)."""
    account_key, _ = _login_keys(address=address, username=username)
    counter_delete(account_key)


# --- sign-ups ---------------------------------------------------------------------------------


def signup_attempt_take(*, address: str) -> int | None:
    """Count one sign-up attempt from `address`; the seconds to wait when over SIGNUP_THROTTLE."""
    rate = Rate.parse(settings.SIGNUP_THROTTLE)
    count = counter_add(_key("signup", address), 1, timeout=rate.period)
    return rate.period if count > rate.count else None


# --- uploads ----------------------------------------------------------------------------------


def upload_allowance_take(*, owner_id: int, files: int, size: int) -> None:
    """Count an upload of `files` files and `size` bytes against the owner's allowance.

    UPLOAD_THROTTLE limits files and UPLOAD_THROTTLE_MB bytes per period, for the web form and the
    API together. Raises UploadRefused (429, with `retry_after`) and counts nothing when the
    upload would go over either.
    """
    rate = Rate.parse(settings.UPLOAD_THROTTLE)
    files_key = _key("upload-files", str(owner_id))
    bytes_key = _key("upload-bytes", str(owner_id))
    files_now = counter_add(files_key, files, timeout=rate.period)
    bytes_now = counter_add(bytes_key, size, timeout=rate.period)
    byte_limit = settings.UPLOAD_THROTTLE_BYTES
    if files_now <= rate.count and bytes_now <= byte_limit:
        return
    # Give back what this refused upload took, so that a smaller one still fits.
    counter_add(files_key, -files, timeout=rate.period)
    counter_add(bytes_key, -size, timeout=rate.period)
    raise UploadRefused(
        code="throttled",
        message=(
            f"You can upload {rate.count} files and {format_size(byte_limit)} in "
            f"{rate.period_name}; this upload would go past that, so nothing was uploaded. "
            f"Try again within {rate.period_name}."
        ),
        status=429,
        retry_after=rate.period,
    )
