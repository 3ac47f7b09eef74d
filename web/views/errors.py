"""Error pages: plain HTML for the site, `{"code", "detail"}` JSON for anything under /api/.

Wired as Django's handler400/403/404/500 in timbre.urls. The 500 and 503 pages are rendered
without the request's context: the database (users, sessions) may be what failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_DETAIL = (
    "Timbre is temporarily unavailable (its database cannot be reached). Try again in a minute."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, request=request), status=status)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        response: HttpResponse = _json(503, "unavailable", UNAVAILABLE_DETAIL)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(400, "bad_request", "The request could not be read (malformed or too large).")
    return HttpResponse(loader.render_to_string("400.html"), status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(403, "permission_denied", "You do not have permission to do this.")
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(404, "not_found", "Not found.")
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still the current one.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if _is_api(request):
        return _json(500, "server_error", "Something went wrong on the server; it is logged.")
    return HttpResponse(loader.render_to_string("500.html"), status=500)
