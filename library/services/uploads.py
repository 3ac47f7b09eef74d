"""Writes for uploads: many files per request, each judged on its own, within the limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from audio.errors import InvalidAudioError
from library.models import Song
from library.selectors import owner_storage_used
from library.services.songs import file_sha256, song_create, song_file_restore
from library.services.throttles import upload_allowance_take
from library.upload_limits import (
    UploadRefused,
    format_size,
    too_large_message,
    too_many_files,
)


class UploadOutcome(StrEnum):
    CREATED = "created"
    EXISTING = "existing"  # the owner already had these bytes; `song` is that song
    RESTORED = "restored"  # as EXISTING, and the song's missing file was stored again
    REFUSED = "refused"


QUEUE_DOWN_MESSAGE = "Queued; analysis starts when the queue is back."


@dataclass(frozen=True)
class UploadResult:
    """What happened to one file of an upload."""

    filename: str  # as the client sent it: display text only, escape it wherever it is shown
    outcome: UploadOutcome
    song: Song | None = None
    error_code: str = ""
    error_message: str = ""
    # False when the song waits for analysis but the queue (Redis) could not take it: stored and
    # pending, sent by the sweeper once the queue is back. True otherwise.
    queued: bool = True

    @property
    def notice(self) -> str:
        return "" if self.queued else QUEUE_DOWN_MESSAGE

    @classmethod
    def refused(cls, filename: str, *, code: str, message: str) -> UploadResult:
        return cls(filename, UploadOutcome.REFUSED, error_code=code, error_message=message)


def songs_upload(*, owner: User, files: Sequence[UploadedFile]) -> list[UploadResult]:
    """Store each file as one of `owner`'s songs, in order, and queue the new ones for analysis.

    Raises UploadRefused (nothing stored) for no files or more than MAX_FILES_PER_UPLOAD. Each
    file is otherwise judged on its own: one over MAX_UPLOAD_BYTES, one that would take the owner
    past USER_QUOTA_BYTES, or one that is not decodable audio is refused with a code and a message
    and leaves nothing behind, while the files before and after it are kept.
    """
    if not files:
        raise UploadRefused(code="no_files", message="Choose at least one audio file to upload.")
    if len(files) > settings.MAX_FILES_PER_UPLOAD:
        raise too_many_files()
    upload_allowance_take(
        owner_id=owner.pk, files=len(files), size=sum(upload.size or 0 for upload in files)
    )
    return [_song_upload(owner=owner, upload=upload) for upload in files]


def _song_upload(*, owner: User, upload: UploadedFile) -> UploadResult:
    filename = Path(upload.name or "").name or "unnamed file"
    size = upload.size or 0
    if size > settings.MAX_UPLOAD_BYTES:
        return UploadResult.refused(filename, code="too_large", message=too_large_message(filename))
    try:
        with transaction.atomic():
            # Holding the owner's row for the check and the insert keeps two simultaneous
            # uploads from both fitting under the quota. One file's probe at a time per owner.
            get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
            used = owner_storage_used(owner=owner)
            if used + size > settings.USER_QUOTA_BYTES:
                # Bytes the owner already has cost nothing: hash only in this rare case.
                sha256 = file_sha256(upload)
                existing = Song.objects.filter(owner_id=owner.pk, sha256=sha256).first()
                if existing is None:
                    return UploadResult.refused(
                        filename, code="quota_exceeded", message=_quota_message(filename, used)
                    )
                created = song_file_restore(song=existing, upload=upload)
            else:
                created = song_create(owner=owner, upload=upload, original_filename=filename)
    except InvalidAudioError as error:
        return UploadResult.refused(filename, code=error.code.value, message=error.message)
    # The transaction has committed: the receipt says whether the queue took the song.
    queued = created.queue is None or created.queue.sent is not False
    if created.created:
        outcome = UploadOutcome.CREATED
    else:
        outcome = UploadOutcome.RESTORED if created.restored else UploadOutcome.EXISTING
    return UploadResult(filename, outcome, song=created.song, queued=queued)


def _quota_message(filename: str, used: int) -> str:
    return (
        f"“{filename}” would take your library past its {format_size(settings.USER_QUOTA_BYTES)} "
        f"quota ({format_size(used)} used)."
    )
