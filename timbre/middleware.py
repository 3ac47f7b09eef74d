"""Project-wide middleware: the Content-Security-Policy header, and 503 while PostgreSQL is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from web.views.errors import database_unavailable

logger = logging.getLogger(__name__)

# What Django raises when the database server is stopped, restarting or unreachable.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach PostgreSQL answers 503 "temporarily unavailable", not 500.

    Django reconnects on the next request (CONN_HEALTH_CHECKS), so the site recovers by itself
    when the server is back. Errors outside views (a middleware's query) reach `handler500`,
    which answers the same way (web.views.errors.server_error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_DOWN_ERRORS):
            return None
        logger.error("database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)
