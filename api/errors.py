"""Every API error answers {"code", "detail"}; invalid input adds "errors", field by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: not_found, throttled, ...")
    detail = serializers.CharField(help_text="For people.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field name; non_field_errors for the request as a whole.",
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with one body shape; services' Django ValidationErrors become 400s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError("The request body is larger than the server accepts.")
    elif isinstance(exc, SuspiciousOperation):  # too many fields or files, a malformed body
        exc = exceptions.ParseError(f"The request could not be read: {exc}")
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        response.data = {"code": "invalid", "detail": _first_message(errors), "errors": errors}
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        response.data = {"code": str(code), "detail": str(detail)}
    return response


def _first_message(errors: dict[str, Any]) -> str:
    """One line for people: the first message, after its field's name unless it is general."""
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):  # a nested serializer's errors
            return _first_message(message)
        return str(message) if field == NON_FIELD else f"{field}: {message}"
    return "Invalid input."
