"""Labelled songs for training: importing a GTZAN-style folder and reading the labelled set."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File

from audio.errors import InvalidAudioError
from library.models import Song
from library.services import (
    UploadOutcome,
    genre_get_or_create,
    song_create,
    song_set_public,
    songs_upload,
)
from library.upload_limits import too_large_message


@dataclass(frozen=True)
class RejectedFile:
    path: str  # relative to the imported root
    code: str
    message: str


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    rejected: list[RejectedFile] = field(default_factory=list)

    @property
    def genres(self) -> list[str]:
        return sorted(set(self.created) | set(self.duplicates))


ProgressCallback = Callable[[int, int, str, str], None]  # (done, total, relative path, outcome)


def dataset_files(root: Path) -> list[tuple[str, Path]]:
    """(genre, file) pairs of a `<root>/<genre>/<file>` tree; hidden entries are ignored."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    pairs = []
    for genre_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if genre_dir.name.startswith((".", "_")):
            continue
        for path in sorted(genre_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                pairs.append((genre_dir.name, path))
    return pairs


@dataclass(frozen=True)
class FileMetadata:
    artist: str = ""
    title: str = ""


class MetadataError(ValueError):
    """The metadata CSV cannot be used; the message names the problem."""


def read_metadata(path: Path) -> dict[str, FileMetadata]:
    """Rows `file,artist,title` (other columns ignored), keyed by `file` relative to the root."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"file", "artist", "title"} - set(reader.fieldnames or [])
        if missing:
            raise MetadataError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
        return {
            row["file"].strip(): FileMetadata(
                artist=(row["artist"] or "").strip(), title=(row["title"] or "").strip()
            )
            for row in reader
            if row.get("file")
        }


def dataset_import(
    *,
    root: Path,
    owner: User | None = None,
    source: str = Song.Source.DATASET,
    synthetic: bool = False,
    metadata: dict[str, FileMetadata] | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import each file under `root/<genre>/` as a labelled song; skip known bytes.

    `metadata` (from `read_metadata`) gives artist and title by path relative to `root`; tags
    and the file name fill what it leaves empty. Cross-validation groups songs by artist.
    """
    metadata = metadata or {}
    report = ImportReport()
    pairs = dataset_files(root)
    for done, (genre_name, path) in enumerate(pairs, start=1):
        relative = str(path.relative_to(root))
        genre = genre_get_or_create(name=genre_name, is_synthetic=synthetic)
        known = metadata.get(relative, FileMetadata())
        try:
            with path.open("rb") as handle:
                result = song_create(
                    owner=owner,
                    upload=File(handle, name=path.name),
                    original_filename=path.name,
                    source=source,
                    genre=genre,
                    title=known.title,
                    artist=known.artist,
                )
        except InvalidAudioError as error:
            report.rejected.append(RejectedFile(relative, str(error.code), error.message))
            outcome = f"rejected: {error.message}"
        else:
            if result.created:
                report.created[genre.name] += 1
                outcome = "imported"
            else:
                report.duplicates[genre.name] += 1
                outcome = "duplicate, skipped"
        if on_progress is not None:
            on_progress(done, len(pairs), relative, outcome)
    return report


def labelled_songs() -> list[Song]:
    """Songs with a ground-truth genre, in a stable order (training splits depend on it)."""
    return list(Song.objects.filter(genre__isnull=False).select_related("genre").order_by("id"))


def training_songs(*, include_demo: bool = False) -> list[Song]:
    """The labelled songs a model trains on: without synthetic demo songs if real ones exist."""
    songs = labelled_songs()
    real = [song for song in songs if song.source != Song.Source.SYNTHETIC]
    return songs if include_demo or not real else real


@dataclass
class BulkImportReport:
    created: int = 0
    duplicates: int = 0
    rejected: list[RejectedFile] = field(default_factory=list)


def audio_files_under(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, the path it was found under) for every file under `paths`, recursively, sorted.

    Hidden files and folders are skipped; content decides later whether a file is audio.
    """
    found = []
    for base in paths:
        if base.is_file():
            found.append((base, base.parent))
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                found.append((path, base))
    return found


def songs_import(
    *,
    paths: list[Path],
    owner: User | None = None,
    shared: bool = False,
    on_progress: ProgressCallback | None = None,
) -> BulkImportReport:
    """Import every file under `paths` as an unlabelled song, through the upload checks.

    With an owner, each file goes through `songs_upload` (size limit, quota, content probe,
    duplicates) and, with `shared`, is shared to the library; without one the songs join the
    shared dataset (size limit, probe, duplicates). New songs are queued for analysis.
    """
    report = BulkImportReport()
    files = audio_files_under(paths)
    for done, (path, base) in enumerate(files, start=1):
        relative = str(path.relative_to(base)) if path != base else path.name
        outcome = _import_one(path, owner=owner, shared=shared, report=report, name=relative)
        if on_progress is not None:
            on_progress(done, len(files), relative, outcome)
    return report


def _import_one(
    path: Path, *, owner: User | None, shared: bool, report: BulkImportReport, name: str
) -> str:
    with path.open("rb") as handle:
        upload = File(handle, name=path.name)
        if owner is not None:
            result = songs_upload(owner=owner, files=[upload])[0]  # type: ignore[list-item]
            if result.outcome == UploadOutcome.REFUSED:
                report.rejected.append(RejectedFile(name, result.error_code, result.error_message))
                return f"rejected: {result.error_message}"
            created = result.outcome == UploadOutcome.CREATED
            if shared and result.song is not None and not result.song.is_public:
                song_set_public(song=result.song, is_public=True)
        else:
            if path.stat().st_size > settings.MAX_UPLOAD_BYTES:
                message = too_large_message(path.name)
                report.rejected.append(RejectedFile(name, "too_large", message))
                return f"rejected: {message}"
            try:
                created = song_create(
                    owner=None, upload=upload, original_filename=path.name,
                    source=Song.Source.DATASET,
                ).created  # fmt: skip
            except InvalidAudioError as error:
                report.rejected.append(RejectedFile(name, str(error.code), error.message))
                return f"rejected: {error.message}"
    if created:
        report.created += 1
        return "imported"
    report.duplicates += 1
    return "duplicate, skipped"
