"""OpenAPI schema post-processing: the errors every operation may answer, documented once.

Any request may be unauthenticated (401), forbidden (403), about something that is not there
(404), throttled (429), malformed (400) or meet a database that is down (503); all answer
`{"code", "detail"}` (api.errors). Operations that document one of these themselves
keep their own description.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "#/components/schemas/Error"
COMMON_ERRORS = {
    "400": "The request could not be read or is invalid.",
    "401": "No valid credentials.",
    "403": "Not allowed (a session request without its CSRF token, or not staff).",
    "404": "No such object, or not yours to see.",
    "429": "Throttled: see Retry-After.",
    "503": "Temporarily unavailable (the database cannot be reached): see Retry-After.",
}
_METHODS = {"get", "put", "post", "patch", "delete"}


def add_common_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry (see SPECTACULAR_SETTINGS)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "content": {"application/json": {"schema": {"$ref": ERROR_COMPONENT}}},
                        "description": description,
                    },
                )
    return result
