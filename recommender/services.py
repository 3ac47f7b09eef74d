"""Writes for the library: every change to users, songs and likes goes through here."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from classifier.audio import AudioInfo, probe_audio
from classifier.errors import InvalidAudioError
from classifier.library import enqueue_analysis
from recommender.models import Genre, Song, WorkerHeartbeat
from recommender.selectors import owner_storage_used
from recommender.uploads import (
    UploadRefused,
    format_size,
    too_large_message,
    too_many_files,
)

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model(username=username, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def worker_heartbeat_record(*, hostname: str, token: str = "") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"token": token, "seen_at": timezone.now()}
    )
    return heartbeat


def genre_get_or_create(*, name: str, is_synthetic: bool = False) -> Genre:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-")
    if not slug:
        raise ValueError(f"{name!r} is not a usable genre name")
    genre, _ = Genre.objects.get_or_create(name=slug, defaults={"is_synthetic": is_synthetic})
    return genre


@dataclass(frozen=True)
class SongCreateResult:
    song: Song
    created: bool  # False: the owner already had these exact bytes, `song` is that song


def file_sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@contextmanager
def _local_path(upload: File) -> Iterator[Path]:
    """A filesystem path for the decoder: the upload's own temp file, or a copy of its bytes."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    path = getattr(upload.file, "name", None)
    if isinstance(path, str) and os.path.isfile(path):
        yield Path(path)
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        upload.seek(0)
        for chunk in upload.chunks(_CHUNK):
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)


def title_artist_from_filename(filename: str) -> tuple[str, str]:
    """'Miles Davis - So What.mp3' -> ('So What', 'Miles Davis'); else (stem, '')."""
    stem = re.sub(r"[_]+", " ", Path(filename).stem).strip()
    stem = re.sub(r"^\d{1,3}[\s.\-]+(?=\S)", "", stem)  # leading track numbers
    if " - " in stem:
        artist, title = stem.split(" - ", 1)
        if artist.strip() and title.strip():
            return title.strip()[:255], artist.strip()[:255]
    return (stem or "Untitled")[:255], ""


def _tags(path: Path) -> tuple[str, str]:
    """Title and artist from the file's tags, when it has them."""
    import mutagen  # only needed on upload

    try:
        tagged = mutagen.File(path, easy=True)
    except Exception:  # noqa: BLE001 - broken tags are common and never fatal
        return "", ""
    if tagged is None or not tagged.tags:
        return "", ""

    def first(key: str) -> str:
        values = tagged.tags.get(key) or []
        return str(values[0]).strip()[:255] if values else ""

    return first("title"), first("artist")


def song_create(
    *,
    owner: AbstractBaseUser | None,
    upload: File,
    original_filename: str,
    source: str = Song.Source.UPLOAD,
    genre: Genre | None = None,
    title: str = "",
    artist: str = "",
) -> SongCreateResult:
    """Store an audio file as a song, or return the owner's song with the same bytes.

    The format is decided by probing the content (never the name); a file that is empty or not
    audio raises `InvalidAudioError` and leaves no row and no file behind. A new song is queued
    for analysis once the surrounding transaction commits.
    """
    sha256 = file_sha256(upload)
    existing = Song.objects.filter(owner=owner, sha256=sha256).first()
    if existing is not None:
        return SongCreateResult(song=existing, created=False)

    with _local_path(upload) as path:
        info: AudioInfo = probe_audio(path)
        tag_title, tag_artist = _tags(path)
    name_title, name_artist = title_artist_from_filename(original_filename)
    song = Song(
        owner=owner,
        title=title or tag_title or name_title,
        artist=artist or tag_artist or name_artist,
        original_filename=Path(original_filename).name[:255],
        sha256=sha256,
        size_bytes=upload.size or 0,
        audio_format=re.sub(r"[^a-z0-9]", "", info.format.lower())[:8],
        duration=info.duration or None,
        sample_rate=info.sample_rate or None,
        source=source,
        genre=genre,
    )
    upload.seek(0)
    song.audio.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            song.save()
            enqueue_analysis(song_ids=[song.pk])
    except IntegrityError:
        # Lost a race with the same upload in another request: keep theirs, drop our file.
        song.audio.delete(save=False)
        existing = Song.objects.filter(owner=owner, sha256=sha256).first()
        if existing is None:
            raise
        return SongCreateResult(song=existing, created=False)
    return SongCreateResult(song=song, created=True)


class UploadOutcome(StrEnum):
    CREATED = "created"
    EXISTING = "existing"  # the owner already had these bytes; `song` is that song
    REFUSED = "refused"


@dataclass(frozen=True)
class UploadResult:
    """What happened to one file of an upload."""

    filename: str  # as the client sent it: display text only, escape it wherever it is shown
    outcome: UploadOutcome
    song: Song | None = None
    error_code: str = ""
    error_message: str = ""

    @classmethod
    def refused(cls, filename: str, *, code: str, message: str) -> UploadResult:
        return cls(filename, UploadOutcome.REFUSED, error_code=code, error_message=message)


def songs_upload(*, owner: AbstractBaseUser, files: Sequence[UploadedFile]) -> list[UploadResult]:
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
    return [_song_upload(owner=owner, upload=upload) for upload in files]


def _song_upload(*, owner: AbstractBaseUser, upload: UploadedFile) -> UploadResult:
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
                if existing is not None:
                    return UploadResult(filename, UploadOutcome.EXISTING, song=existing)
                return UploadResult.refused(
                    filename, code="quota_exceeded", message=_quota_message(filename, used)
                )
            created = song_create(owner=owner, upload=upload, original_filename=filename)
    except InvalidAudioError as error:
        return UploadResult.refused(filename, code=error.code.value, message=error.message)
    outcome = UploadOutcome.CREATED if created.created else UploadOutcome.EXISTING
    return UploadResult(filename, outcome, song=created.song)


def _quota_message(filename: str, used: int) -> str:
    return (
        f"“{filename}” would take your library past its {format_size(settings.USER_QUOTA_BYTES)} "
        f"quota ({format_size(used)} used)."
    )


def song_update(*, song: Song, title: str, artist: str) -> Song:
    """The owner's edit of a song's title and artist (the analysis is not affected)."""
    title, artist = title.strip(), artist.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "A song needs a title."
    for field, value in (("title", title), ("artist", artist)):
        limit = getattr(Song._meta.get_field(field), "max_length", None)
        if limit is not None and len(value) > limit:
            errors[field] = f"At most {limit} characters (this has {len(value)})."
    if errors:
        raise ValidationError(errors)
    song.title, song.artist = title, artist
    # Only these columns: a worker may be changing the status at the same moment.
    song.save(update_fields=["title", "artist", "updated_at"])
    return song
