"""Who a Subsonic request is from: the token scheme, an API key, or a password over HTTPS.

Every scheme checks the user's Subsonic app password or API key (``subsonic.models``), never the
log-in password. Failures count against the same throttle as the web log-in
(``library.services.throttles``): too many, and even right credentials are refused for a while.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.http import HttpRequest

from library.services.throttles import (
    client_address,
    login_failure_record,
    login_refusal,
    login_success_record,
)
from subsonic.models import SubsonicCredential
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError
from subsonic.services import api_key_digest


def _refuse_if_throttled(*, address: str, username: str) -> None:
    refusal = login_refusal(address=address, username=username)
    if refusal is not None:
        raise SubsonicError(
            ErrorCode.WRONG_CREDENTIALS,
            f"Too many failed attempts from your address: wait {refusal.period_name}.",
        )


def _password_from(text: str) -> str:
    if text.startswith("enc:"):
        try:
            return bytes.fromhex(text.removeprefix("enc:")).decode()
        except ValueError:
            return ""
    return text


def _by_api_key(request: HttpRequest, params: Params, api_key: str) -> Any:
    if params.get("u"):
        raise SubsonicError(ErrorCode.CONFLICTING_AUTH, "Send either apiKey or u, not both.")
    address = client_address(request)
    _refuse_if_throttled(address=address, username="")
    credential = (
        SubsonicCredential.objects.select_related("user")
        .filter(api_key_sha256=api_key_digest(api_key), user__is_active=True)
        .first()
    )
    if credential is None:
        login_failure_record(address=address, username="")
        raise SubsonicError(ErrorCode.INVALID_API_KEY, "Invalid API key.")
    return credential.user


def authenticate(request: HttpRequest, params: Params) -> Any:
    """The active user the request's credentials name; SubsonicError (10, 40-44) otherwise."""
    api_key = params.get("apiKey")
    if api_key:
        return _by_api_key(request, params, api_key)
    username = params.required("u")
    token, salt, password = params.get("t"), params.get("s"), params.get("p")
    if not (token and salt) and not password:
        raise SubsonicError(
            ErrorCode.MISSING_PARAMETER, "Required parameter is missing: t and s, or apiKey"
        )
    if password and not (token and salt) and not request.is_secure():
        # A password in a URL over plain HTTP is readable by anyone on the way.
        raise SubsonicError(
            ErrorCode.AUTH_NOT_SUPPORTED, "Passwords (p) are accepted over HTTPS only: use t and s."
        )
    address = client_address(request)
    _refuse_if_throttled(address=address, username=username)
    credential = (
        SubsonicCredential.objects.select_related("user")
        .filter(user__username=username, user__is_active=True)
        .exclude(app_password="")
        .first()
    )
    secret = credential.app_password if credential is not None else ""
    if token and salt:
        expected = hashlib.md5((secret + salt).encode(), usedforsecurity=False).hexdigest()
        good = hmac.compare_digest(expected, token.lower())
    else:
        good = hmac.compare_digest(secret.encode(), _password_from(password).encode())
    if credential is None or not good:
        login_failure_record(address=address, username=username)
        raise SubsonicError(ErrorCode.WRONG_CREDENTIALS, "Wrong username or password.")
    login_success_record(address=address, username=username)
    return credential.user
