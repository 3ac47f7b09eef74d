"""Request rates, counted in the default cache (shared by every web process, see CACHES)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


class UploadRateThrottle(UserRateThrottle):
    """Uploads per user; reading the song list on the same URL is not counted."""

    scope = "uploads"  # rate from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (UPLOAD_THROTTLE)

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class LoginRateThrottle(SimpleRateThrottle):
    """Token requests per client address, whoever they claim to be (LOGIN_THROTTLE)."""

    scope = "login"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
