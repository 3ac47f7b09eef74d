"""Writes for songs: storing a file as a song, genre labels, owner edits."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from audio.decode import AudioInfo, probe_audio
from library.models import Genre, Song
from library.services.albums import album_for_tags
from library.signals import QueueReceipt, analysis_request
from library.tags import FileTags, read_tags

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


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
    restored: bool = False  # the existing song's missing file was stored again from the upload
    # For a new or restored song: whether its analysis reached the queue (after the commit).
    queue: QueueReceipt | None = None


def file_sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@contextmanager
def local_path(upload: File) -> Iterator[Path]:
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


def song_tag_fields(tags: FileTags, *, folder_cover: bytes | None = None) -> dict[str, object]:
    """The song's columns that come from its file's tags (not title and artist: see callers).

    `folder_cover`: the bytes of a cover.jpg beside the file, for an album without embedded art.
    """
    return {
        "album": album_for_tags(tags=tags, folder_cover=folder_cover),
        "track_number": tags.track_number,
        "disc_number": tags.disc_number,
        "year": tags.year,
        "file_genre": tags.genre,
    }


def song_create(
    *,
    owner: User | None,
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
        return song_file_restore(song=existing, upload=upload)

    with local_path(upload) as path:
        info: AudioInfo = probe_audio(path)
        tags = read_tags(path)
    name_title, name_artist = title_artist_from_filename(original_filename)
    song = Song(
        owner=owner,
        title=title or tags.title or name_title,
        artist=artist or tags.artist or name_artist,
        original_filename=Path(original_filename).name[:255],
        sha256=sha256,
        size_bytes=upload.size or 0,
        audio_format=re.sub(r"[^a-z0-9]", "", info.format.lower())[:8],
        duration=info.duration or None,
        sample_rate=info.sample_rate or None,
        source=source,
        genre=genre,
        **song_tag_fields(tags),
    )
    upload.seek(0)
    song.audio.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            song.save()
            queue = analysis_request(song_ids=[song.pk])
    except IntegrityError:
        # Lost a race with the same upload in another request: keep theirs, drop our file.
        song.audio.delete(save=False)
        existing = Song.objects.filter(owner=owner, sha256=sha256).first()
        if existing is None:
            raise
        return SongCreateResult(song=existing, created=False)
    return SongCreateResult(song=song, created=True, queue=queue)


def song_file_missing(*, song: Song) -> bool:
    """Whether the song's stored file is gone from the file store (deleted, or a lost disk)."""
    return not song.audio.name or not song.audio.storage.exists(song.audio.name)


def song_file_restore(*, song: Song, upload: File) -> SongCreateResult:
    """An upload of bytes the owner already has: store them again if the song's file is missing.

    The caller has checked that the upload's SHA-256 is the song's. A song whose analysis could
    not run for want of its file goes back to pending and is queued again.
    """
    if not song_file_missing(song=song):
        return SongCreateResult(song=song, created=False)
    upload.seek(0)
    song.audio.save("upload", upload, save=False)
    # Only these columns: a worker may be changing the status at the same moment.
    song.save(update_fields=["audio", "updated_at"])
    logger.warning("song %s: missing file restored from a re-upload", song.pk)
    queue = None
    if song.status in {Song.Status.PENDING, Song.Status.FAILED}:
        Song.objects.filter(pk=song.pk).update(
            status=Song.Status.PENDING, attempts=0, error_code="", error_message=""
        )
        song.refresh_from_db()
        queue = analysis_request(song_ids=[song.pk])
    return SongCreateResult(song=song, created=False, restored=True, queue=queue)


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


def song_set_public(*, song: Song, is_public: bool) -> Song:
    """The owner shares the song to the library (everyone may see it) or makes it private again.

    Songs without an owner (the dataset) are always visible; this is for uploads.
    """
    if song.owner_id is None:
        raise ValueError(f"song {song.pk} belongs to the dataset, which is always shared")
    song.is_public = is_public
    # Only this column: a worker may be changing the status at the same moment.
    song.save(update_fields=["is_public", "updated_at"])
    return song


def song_delete(*, song: Song) -> None:
    """Remove a song with its analyses and likes, and its audio file once the deletion commits.

    The file goes only after the commit, so a rolled-back deletion keeps a playable song. A worker
    analysing the song at that moment finds it gone and stores nothing.
    """
    storage, name = song.audio.storage, song.audio.name
    song.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def songs_requeue(*, songs: Iterable[Song], force: bool = False) -> int:
    """Reset songs to pending (clearing errors and attempts) and ask for their analysis again.

    `force` re-analyses songs the active model has already analysed (the result is replaced).
    """
    ids = [song.pk for song in songs]
    with transaction.atomic():
        Song.objects.filter(pk__in=ids).update(
            status=Song.Status.PENDING, attempts=0, error_code="", error_message="",
            updated_at=timezone.now(),
        )  # fmt: skip
        analysis_request(song_ids=ids, force=force)
    return len(ids)
