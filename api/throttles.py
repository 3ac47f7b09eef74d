"""Request rates, counted in the default cache (shared by every web process, see CACHES).

Uploads are limited in files and bytes by `library.services.throttles`, for the web form and
the API together; what is here limits requests.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from library.services.throttles import CACHE_ERRORS

logger = logging.getLogger(__name__)


class LoginRateThrottle(SimpleRateThrottle):
    """Token requests per client address, whoever they claim to be (LOGIN_THROTTLE).

    Fails open when the cache (Redis) is down: log-in must keep working without it.
    """

    scope = "login"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning("log-in throttle unavailable, allowing the request: %s", error)
            return True
