"""A request's parameters: the query string and, for the ``formPost`` extension, the form body."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict

from subsonic.responses import ErrorCode, SubsonicError


class Params:
    def __init__(self, request: HttpRequest) -> None:
        merged = request.GET.copy()
        if request.method == "POST":
            merged.update(request.POST)
        self._data: QueryDict = merged

    def get(self, name: str, default: str = "") -> str:
        return self._data.get(name) or default

    def required(self, name: str) -> str:
        value = self._data.get(name)
        if not value:
            raise SubsonicError(
                ErrorCode.MISSING_PARAMETER, f"Required parameter is missing: {name}"
            )
        return value

    def getlist(self, name: str) -> list[str]:
        return [value for value in self._data.getlist(name) if value]

    def int(self, name: str, default: int, *, low: int = 0, high: int = 500) -> int:
        text = self._data.get(name)
        if not text:
            return default
        try:
            value = int(text)
        except ValueError as error:
            raise SubsonicError(
                ErrorCode.GENERIC, f"Parameter {name} must be an integer, got {text[:20]!r}"
            ) from error
        return min(max(value, low), high)

    def bool(self, name: str, default: bool) -> bool:
        text = self._data.get(name)
        if not text:
            return default
        return text.lower() in {"true", "1", "yes"}
