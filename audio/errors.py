"""Errors raised when an uploaded file cannot be analysed.

Each error carries a stable code (stored on the song and used by the UI and API) and a message
meant for the person who uploaded the file: it says what was received and what is expected, and
never contains a file path or a stack trace.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every code a song can fail with, stored on the song (`Song.error_code`) and shown by the API.

    The audio layer raises the first group (the file itself); the analysis pipeline records the
    second (what happened while analysing it).
    """

    EMPTY = "empty"
    UNDECODABLE = "undecodable"
    TOO_SHORT = "too_short"
    SILENT = "silent"
    NON_FINITE = "non_finite"
    TOO_LARGE = "too_large"

    WORKER_LOST = "worker_lost"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    TIMEOUT = "timeout"
    MODEL_ERROR = "model_error"


class InvalidAudioError(ValueError):
    """The file is not audio we can analyse; retrying will not help."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"InvalidAudioError(code={self.code.value!r}, message={self.message!r})"

    def to_dict(self) -> dict[str, str]:
        """JSON-safe form for API responses and task results."""
        return {"code": self.code.value, "message": self.message}
