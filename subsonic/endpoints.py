"""The endpoint decorator: authenticate, read parameters, answer errors in the protocol's shape.

An endpoint is ``def name(request, params) -> payload dict | HttpResponseBase``; ``@endpoint``
registers it under its Subsonic name (``/rest/name`` and ``/rest/name.view``), accepts GET and
form POST (``formPost``), and sets ``request.user`` to the authenticated user. CSRF does not
apply: no cookie authenticates these requests, every one carries its own credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from subsonic.auth import authenticate
from subsonic.params import Params
from subsonic.responses import ErrorCode, SubsonicError, failed, ok

logger = logging.getLogger(__name__)

Handler = Callable[[HttpRequest, Params], "dict[str, Any] | HttpResponseBase"]
View = Callable[[HttpRequest], HttpResponseBase]
H = TypeVar("H", bound=Handler)

ENDPOINTS: dict[str, View] = {}


def endpoint(name: str, *, public: bool = False) -> Callable[[H], H]:
    """Register `handler` as Subsonic endpoint `name`; `public` ones need no credentials."""

    def register(handler: H) -> H:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponseBase:
            if request.method not in {"GET", "POST", "HEAD"}:
                return HttpResponse(status=405, headers={"Allow": "GET, POST"})
            params = Params(request)
            try:
                if not public:
                    request.user = authenticate(request, params)
                result = handler(request, params)
            except SubsonicError as error:
                return failed(request, error)
            if isinstance(result, HttpResponseBase):
                return result
            return ok(request, result)

        ENDPOINTS[name] = view
        return handler

    return register


@csrf_exempt
def unknown(request: HttpRequest, name: str) -> HttpResponseBase:
    """An endpoint Timbre does not implement: a protocol error (HTTP 404), not an HTML page,
    so that players show a message instead of failing to parse."""
    error = SubsonicError(ErrorCode.GENERIC, f"Timbre does not implement {name[:60]!r}.")
    response = failed(request, error)
    response.status_code = 404
    return response
