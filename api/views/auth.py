"""API tokens for scripts: username and password in, token out, throttled; see, rotate, revoke."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.throttles import LoginRateThrottle
from library.services import token_revoke, token_rotate
from library.services.throttles import (
    client_address,
    login_failure_record,
    login_refusal,
    login_success_record,
)


class TokenObtainView(ObtainAuthToken):
    """POST username and password -> {"token"}; send it as `Authorization: Token <token>`.

    Throttled per address (LOGIN_THROTTLE requests), and by the same failure counters as the web
    log-in form: the username as the form normalises it, and the address.
    """

    # Credentials are in the body: no session, so no CSRF token needed by scripts.
    authentication_classes: list[type] = []
    throttle_classes = [LoginRateThrottle]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        address = client_address(request)  # type: ignore[arg-type]
        username = str(request.data.get("username", ""))[:1000]
        refusal = login_refusal(address=address, username=username)
        if refusal is not None:
            raise exceptions.Throttled(
                wait=refusal.retry_after,
                detail="Too many failed log-ins for this account from your address.",
            )
        try:
            response = super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            login_failure_record(address=address, username=username)
            raise
        login_success_record(address=address, username=username)
        return response


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(allow_null=True, help_text="null: no token (revoked).")
    created = serializers.DateTimeField(allow_null=True)


def _token_body(token: Token | None) -> dict[str, Any]:
    return {"token": token.key if token else None, "created": token.created if token else None}


class MyTokenView(APIView):
    """My API token: see it, rotate it (the old one stops working), or revoke it."""

    @extend_schema(responses={200: TokenSerializer})
    def get(self, request: Request) -> Response:
        """My current token, or null when I have none."""
        return Response(_token_body(Token.objects.filter(user=request.user).first()))

    @extend_schema(request=None, responses={201: TokenSerializer, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        """A new token for me; the previous one, if any, no longer works."""
        token = token_rotate(user=request.user)  # type: ignore[arg-type]
        return Response(_token_body(token), status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        """Revoke my token: requests with it answer 401 from now on."""
        token_revoke(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
