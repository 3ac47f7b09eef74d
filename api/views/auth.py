"""API tokens for scripts: username and password in, token out, throttled per address."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken

from api.throttles import LoginRateThrottle


class TokenObtainView(ObtainAuthToken):
    """POST username and password -> {"token"}; send it as `Authorization: Token <token>`."""

    # Credentials are in the body: no session, so no CSRF token needed by scripts.
    authentication_classes: list[type] = []
    throttle_classes = [LoginRateThrottle]
