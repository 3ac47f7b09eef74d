"""Subsonic responses: one payload, written as XML (the default) or JSON (``f=json``).

A payload is a dict in the JSON shape of the Subsonic/OpenSubsonic specification. In XML, a dict
value becomes a child element, a list of dicts repeated child elements of that name, and a scalar
an attribute: ``{"song": {"id": "1", "title": "x"}}`` is ``<song id="1" title="x"/>``; the
key ``value`` is the element's text.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from xml.etree import ElementTree

from django.http import HttpRequest, HttpResponse, JsonResponse

API_VERSION = "1.16.1"
SERVER_TYPE = "timbre"
SERVER_VERSION = "0.1.0"
XMLNS = "http://subsonic.org/restapi"


class ErrorCode(IntEnum):
    GENERIC = 0
    MISSING_PARAMETER = 10
    CLIENT_TOO_OLD = 20
    SERVER_TOO_OLD = 30
    WRONG_CREDENTIALS = 40
    TOKEN_NOT_SUPPORTED = 41
    AUTH_NOT_SUPPORTED = 42
    CONFLICTING_AUTH = 43
    INVALID_API_KEY = 44
    NOT_AUTHORISED = 50
    NOT_FOUND = 70


class SubsonicError(Exception):
    """Answered as a ``status="failed"`` response with the code and message (HTTP 200, as the
    protocol wants: players read the code, not the HTTP status)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _envelope(status: str) -> dict[str, Any]:
    return {
        "status": status,
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": SERVER_VERSION,
        "openSubsonic": True,
    }


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(element: ElementTree.Element, payload: dict[str, Any]) -> None:
    for key, value in payload.items():
        if value is None:
            continue
        if key == "value":  # the element's text, e.g. <genre songCount="3">jazz</genre>
            element.text = _xml_value(value)
        elif isinstance(value, dict):
            _xml_fill(ElementTree.SubElement(element, key), value)
        elif isinstance(value, list):
            for item in value:
                child = ElementTree.SubElement(element, key)
                if isinstance(item, dict):
                    _xml_fill(child, item)
                else:
                    child.text = _xml_value(item)
        else:
            element.set(key, _xml_value(value))


def render_xml(body: dict[str, Any]) -> bytes:
    root = ElementTree.Element("subsonic-response", {"xmlns": XMLNS})
    _xml_fill(root, body)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)


def _json_clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_clean(v) for v in value]
    return value


def _respond(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    fmt = params.get("f") or request.GET.get("f", "xml")
    if fmt == "json":
        return JsonResponse({"subsonic-response": _json_clean(body)})
    return HttpResponse(render_xml(body), content_type="text/xml; charset=utf-8")


def ok(request: HttpRequest, payload: dict[str, Any] | None = None) -> HttpResponse:
    return _respond(request, {**_envelope("ok"), **(payload or {})})


def failed(request: HttpRequest, error: SubsonicError) -> HttpResponse:
    body = {**_envelope("failed"), "error": {"code": int(error.code), "message": error.message}}
    return _respond(request, body)
