"""Scanning music folders in place: audio files are indexed where they are, read-only, no copy.

A scan is incremental. A file whose size and modification time match its song is not opened
(a re-scan of an unchanged tree only lists it); a changed file is re-hashed, its tags re-read and
its song re-analysed; a file with a known song's content at a new path is that song moved (it
keeps its likes and analyses); a song whose file is gone is marked missing, never deleted.
Scanned songs have no owner: they belong to the library every user sees.

Nothing outside the scanned folders is read: symbolic links are never followed (one leading out
of its folder is listed as rejected), and a file is only ever opened after its real path was
checked to lie inside its folder (`library.files`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audio.decode import probe_audio
from audio.errors import InvalidAudioError
from library.covers import folder_cover
from library.files import (
    SongFileOutsideFolderError,
    SongFileUnavailableError,
    folder_song_path,
    inside_folder,
)
from library.models import MusicFolder, Song
from library.services.songs import song_tag_fields, songs_requeue, title_artist_from_filename
from library.signals import analysis_request
from library.tags import read_tags

logger = logging.getLogger(__name__)

# Files considered at all (by name, to skip covers, playlists and notes quickly); whether one is
# audio is then decided by probing its content, as for uploads.
AUDIO_EXTENSIONS = frozenset(
    {
        ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".wav", ".aif",
        ".aiff", ".wma", ".wv", ".ape", ".mka", ".webm",
    }
)  # fmt: skip
_CHUNK = 1024 * 1024
# One scan at a time per database (beat and a manual scan_library may overlap).
_SCAN_LOCK_KEY = 0x5343414E  # "SCAN"
_PROGRESS_EVERY_S = 1.0


class ScanError(Exception):
    """A folder that cannot be scanned at all (not a directory), or a scan already running."""


@dataclass(frozen=True)
class ScanProgress:
    done: int
    total: int
    elapsed: float  # seconds

    @property
    def rate(self) -> float:
        """Files per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None before there is a rate."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None


@dataclass(frozen=True)
class Rejected:
    path: str
    reason: str


@dataclass
class ScanReport:
    folders: list[str] = field(default_factory=list)
    files: int = 0  # audio files considered
    added: int = 0
    changed: int = 0
    moved: int = 0
    restored: int = 0  # marked missing before, found again unchanged
    unchanged: int = 0
    missing: int = 0  # newly marked missing by this scan
    rejected: list[Rejected] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.files} audio files in {len(self.folders)} folder(s) in {self.elapsed:.1f} s: "
            f"{self.added} added, {self.changed} changed, {self.moved} moved, "
            f"{self.restored} found again, {self.unchanged} unchanged, "
            f"{self.missing} now missing, {len(self.rejected)} rejected"
        )


@dataclass(frozen=True)
class _Candidate:
    folder: MusicFolder
    root: Path
    relative_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class _Known:
    id: int
    size: int
    mtime_ns: int | None
    sha256: str
    missing: bool


def music_folder_register(*, path: str | Path) -> MusicFolder:
    """The music folder at `path` (resolved), registered on first use."""
    try:
        real = Path(path).expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as error:
        raise ScanError(f"{path}: not a folder that can be read ({error})") from error
    if not real.is_dir():
        raise ScanError(f"{path}: not a folder")
    folder, _ = MusicFolder.objects.get_or_create(path=str(real))
    return folder


@contextmanager
def _scan_lock() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_SCAN_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise ScanError("another scan is running")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_SCAN_LOCK_KEY])


def library_scan(
    *, paths: Iterable[str | Path], progress: Callable[[ScanProgress], None] | None = None
) -> ScanReport:
    """Scan the folders at `paths` (each registered as a music folder) and return what changed.

    `progress` is called about once a second and at the end. Raises ScanError when a folder
    cannot be scanned or another scan is running.
    """
    started = time.monotonic()
    report = ScanReport()
    folders = [music_folder_register(path=path) for path in paths]
    with _scan_lock():
        candidates: list[_Candidate] = []
        for folder in folders:
            report.folders.append(folder.path)
            candidates += _list_folder(folder, report=report)
        report.files = len(candidates)
        scanner = _Scanner(report)
        last_report = 0.0
        for done, candidate in enumerate(candidates, start=1):
            scanner.scan_file(candidate)
            now = time.monotonic()
            if progress is not None and (now - last_report >= _PROGRESS_EVERY_S or done == 1):
                progress(ScanProgress(done=done, total=len(candidates), elapsed=now - started))
                last_report = now
        for folder in folders:
            report.missing += _mark_missing(folder, seen=scanner.seen.get(folder.pk, set()))
        MusicFolder.objects.filter(pk__in=[f.pk for f in folders]).update(
            last_scanned_at=timezone.now()
        )
    report.elapsed = time.monotonic() - started
    if progress is not None:
        progress(ScanProgress(done=report.files, total=report.files, elapsed=report.elapsed))
    logger.info("scan: %s", report.summary())
    return report


def _list_folder(folder: MusicFolder, *, report: ScanReport) -> list[_Candidate]:
    """The folder's audio files by name (hidden ones skipped); links out of it are rejected."""
    root = Path(folder.path)
    found: list[_Candidate] = []

    def unreadable(error: OSError) -> None:
        report.rejected.append(Rejected(str(error.filename), f"cannot be read: {error.strerror}"))

    for directory, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        here = Path(directory)
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in dirnames:
            if (here / name).is_symlink():
                _reject_link_out(here / name, root=root, report=report)
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in AUDIO_EXTENSIONS:
                continue
            if path.is_symlink():
                _reject_link_out(path, root=root, report=report)
                continue
            try:
                stat = path.stat()
            except OSError as error:
                report.rejected.append(Rejected(str(path), f"cannot be read: {error.strerror}"))
                continue
            found.append(
                _Candidate(
                    folder=folder,
                    root=root,
                    relative_path=str(path.relative_to(root)),
                    size=stat.st_size,
                    mtime_ns=stat.st_mtime_ns,
                )
            )
    return found


def _reject_link_out(path: Path, *, root: Path, report: ScanReport) -> None:
    """Links are never indexed or followed: one inside the folder leads to a file scanned where
    it is; one that leads out of it (or nowhere) is rejected, so that the admin hears of it."""
    try:
        inside_folder(path, root=root)
    except SongFileUnavailableError as error:
        report.rejected.append(Rejected(str(path), _link_reason(error)))


def _link_reason(error: SongFileUnavailableError) -> str:
    if isinstance(error, SongFileOutsideFolderError):
        return "a link that leads outside the music folder (never followed)"
    return "a broken link"


class _Scanner:
    """One scan's state: the known songs of each folder, what was seen, covers per directory."""

    def __init__(self, report: ScanReport) -> None:
        self.report = report
        self.known: dict[int, dict[str, _Known]] = {}
        self.seen: dict[int, set[str]] = {}
        self._covers: dict[Path, bytes | None] = {}

    def _known_in(self, folder: MusicFolder) -> dict[str, _Known]:
        if folder.pk not in self.known:
            rows = Song.objects.filter(folder=folder).values_list(
                "id", "relative_path", "size_bytes", "file_mtime_ns", "sha256", "missing_since"
            )
            self.known[folder.pk] = {
                rel: _Known(pk, size, mtime, sha, missing is not None)
                for pk, rel, size, mtime, sha, missing in rows
            }
        return self.known[folder.pk]

    def reject(self, candidate: _Candidate, reason: str) -> None:
        self.report.rejected.append(Rejected(str(candidate.root / candidate.relative_path), reason))

    def scan_file(self, candidate: _Candidate) -> None:
        self.seen.setdefault(candidate.folder.pk, set()).add(candidate.relative_path)
        known = self._known_in(candidate.folder).get(candidate.relative_path)
        if known and (known.size, known.mtime_ns) == (candidate.size, candidate.mtime_ns):
            if known.missing:
                Song.objects.filter(pk=known.id).update(missing_since=None)
                self.report.restored += 1
            else:
                self.report.unchanged += 1  # not opened, nothing written
            return
        try:
            path = folder_song_path(folder=candidate.folder, relative_path=candidate.relative_path)
            sha256 = _file_sha256(path)
        except OSError as error:
            self.reject(candidate, f"cannot be read: {error.strerror or error}")
            return
        if known is not None and known.sha256 == sha256:
            # Touched, not changed: only remember the new time.
            Song.objects.filter(pk=known.id).update(
                file_mtime_ns=candidate.mtime_ns, size_bytes=candidate.size, missing_since=None
            )
            self.report.unchanged += 1
            return
        try:
            if known is not None:
                self._refresh(known, candidate=candidate, path=path, sha256=sha256)
            elif not self._move(candidate, sha256=sha256):
                self._add(candidate, path=path, sha256=sha256)
        except InvalidAudioError as error:
            self.reject(candidate, error.message)
        except IntegrityError:
            self.reject(candidate, "the same content as another song of the library")

    def _move(self, candidate: _Candidate, *, sha256: str) -> bool:
        """A known song's content at a new path: the song moved if its old file is gone."""
        other = (
            Song.objects.filter(owner__isnull=True, sha256=sha256).select_related("folder").first()
        )
        if other is None:
            return False
        if other.folder is None or _still_there(other):
            where = other.relative_path or f"song {other.pk}"
            self.reject(candidate, f"the same content as {where} (a duplicate, not indexed)")
            return True
        Song.objects.filter(pk=other.pk).update(
            folder=candidate.folder,
            relative_path=candidate.relative_path,
            original_filename=Path(candidate.relative_path).name[:255],
            size_bytes=candidate.size,
            file_mtime_ns=candidate.mtime_ns,
            missing_since=None,
            updated_at=timezone.now(),
        )
        self.report.moved += 1
        return True

    def _file_fields(self, candidate: _Candidate, *, path: Path, sha256: str) -> dict[str, object]:

        info = probe_audio(path)
        tags = read_tags(path)
        name_title, name_artist = title_artist_from_filename(path.name)
        cover = None
        if tags.album and not tags.cover:
            cover = self._folder_cover(path.parent, root=candidate.root)
        return {
            "title": tags.title or name_title,
            "artist": tags.artist or name_artist,
            "original_filename": path.name[:255],
            "sha256": sha256,
            "size_bytes": candidate.size,
            "file_mtime_ns": candidate.mtime_ns,
            "audio_format": "".join(c for c in info.format.lower() if c.isalnum())[:8],
            "duration": info.duration or tags.duration,
            "sample_rate": info.sample_rate or None,
            "missing_since": None,
            **song_tag_fields(tags, folder_cover=cover),
        }

    def _add(self, candidate: _Candidate, *, path: Path, sha256: str) -> None:
        song = Song(
            owner=None,
            source=Song.Source.SCAN,
            folder=candidate.folder,
            relative_path=candidate.relative_path,
            **self._file_fields(candidate, path=path, sha256=sha256),
        )
        with transaction.atomic():
            song.save()
            analysis_request(song_ids=[song.pk])
        self.report.added += 1

    def _refresh(self, known: _Known, *, candidate: _Candidate, path: Path, sha256: str) -> None:
        """New content at a known path: the same song, re-read and re-analysed."""
        fields = self._file_fields(candidate, path=path, sha256=sha256)
        with transaction.atomic():
            Song.objects.filter(pk=known.id).update(**fields, updated_at=timezone.now())
            songs_requeue(songs=Song.objects.filter(pk=known.id), force=True)
        self.report.changed += 1

    def _folder_cover(self, directory: Path, *, root: Path) -> bytes | None:
        if directory not in self._covers:
            self._covers[directory] = folder_cover(directory, root=root)
        return self._covers[directory]


def _still_there(song: Song) -> bool:
    assert song.folder is not None
    return os.path.lexists(Path(song.folder.path) / song.relative_path)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mark_missing(folder: MusicFolder, *, seen: set[str]) -> int:
    """Mark the folder's songs whose file this scan did not find; returns how many."""
    present = Song.objects.filter(folder=folder, missing_since__isnull=True)
    gone = [pk for pk, rel in present.values_list("id", "relative_path") if rel not in seen]
    if gone:
        Song.objects.filter(pk__in=gone).update(missing_since=timezone.now())
    return len(gone)
