"""Limits on what one upload request may carry, enforced while the request body is read.

`UploadLimitHandler` is first in `FILE_UPLOAD_HANDLERS`, so it sees every multipart request (web
form, API, admin). It counts files and bytes as they stream in and, at the first file over
`MAX_UPLOAD_BYTES` or the first file past `MAX_FILES_PER_UPLOAD`, stops the parser: the file being
written to a temporary file is closed (and so deleted) after at most one chunk over the limit,
and the rest of the body is read and dropped so that the client still gets our answer rather
than a reset connection. Views that take files call `uploaded_files()`, which turns that stop
into an `UploadRefused` with a status (413, 400) and a message the uploader can read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

_MEGABYTE = 1024 * 1024


class UploadRefused(Exception):
    """The whole upload request is refused; nothing from it is stored."""

    def __init__(
        self, *, code: str, message: str, status: int = 400, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, for a Retry-After header (429)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.message}


def format_size(size: int) -> str:
    """100 MB, 4.5 MB, 12 KB: sizes as the limits in settings are written (MB = 2**20 bytes)."""
    if size >= _MEGABYTE:
        megabytes = size / _MEGABYTE
        return f"{megabytes:.0f} MB" if megabytes.is_integer() else f"{megabytes:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


def too_large_message(filename: str) -> str:
    return (
        f"“{filename}” is larger than the {format_size(settings.MAX_UPLOAD_BYTES)} limit "
        "for one file."
    )


def too_many_files_message() -> str:
    limit = settings.MAX_FILES_PER_UPLOAD
    return (
        f"You can upload at most {limit} file{'s' if limit != 1 else ''} at a time; nothing "
        "was uploaded. Send the rest in another upload."
    )


def too_large(filename: str) -> UploadRefused:
    return UploadRefused(code="too_large", message=too_large_message(filename), status=413)


def too_many_files() -> UploadRefused:
    return UploadRefused(code="too_many_files", message=too_many_files_message(), status=400)


class UploadLimitHandler(FileUploadHandler):
    """Stops reading an upload at the first file over the size or count limit (see module doc)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.refusal: UploadRefused | None = None
        self.file_count = 0

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.file_count += 1
        if self.file_count > settings.MAX_FILES_PER_UPLOAD:
            self._refuse(too_many_files())
        # Clients rarely send a per-part length; when one does, refuse before reading a byte.
        if content_length is not None and content_length > settings.MAX_UPLOAD_BYTES:
            self._refuse(too_large(file_name))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            self._refuse(too_large(self.file_name or "file"))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file object

    def _refuse(self, refusal: UploadRefused) -> None:
        self.refusal = refusal
        # connection_reset=False: read the rest of the body (without storing it), or many
        # clients would see a broken connection instead of the 413 page.
        raise StopUpload(connection_reset=False)


def upload_refusal(request: Any) -> UploadRefused | None:
    """The refusal `UploadLimitHandler` recorded while this request's body was read, if any."""
    for handler in request.upload_handlers:
        if isinstance(handler, UploadLimitHandler) and handler.refusal is not None:
            return handler.refusal
    return None


def uploaded_files(request: Any, field_name: str = "files") -> list[UploadedFile]:
    """The files posted under `field_name` (a Django or a DRF request); raises UploadRefused."""
    files = request.FILES.getlist(field_name)  # reads the body, running the handlers
    refusal = upload_refusal(request)
    if refusal is not None:
        raise refusal
    return files
