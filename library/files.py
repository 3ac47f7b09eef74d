"""Where a song's audio is on disk, and opening it: the one place that decides it.

An uploaded song's file is in the media storage under a generated name. A scanned song's file is
where the scan found it, `relative_path` under its music folder; it is only ever read if it still
resolves inside that folder, so a symbolic link (or a path edited in the database) that leads out
of the configured folders is never followed. The analysis, the spectrogram and the audio stream
all read through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from library.models import MusicFolder, Song


class SongFileUnavailableError(FileNotFoundError):
    """The song's file is not there (moved, deleted, unmounted) or may not be read."""


class SongFileOutsideFolderError(SongFileUnavailableError):
    """The scanned song's path leads out of its music folder (e.g. through a symlink)."""


def inside_folder(path: Path, *, root: Path) -> Path:
    """`path` resolved, if it exists and lies inside the resolved `root`; raises otherwise."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        raise SongFileUnavailableError(f"{path.name}: {error}") from error
    if not real.is_relative_to(root.resolve()):
        raise SongFileOutsideFolderError(f"{path.name} leads outside its music folder")
    return real


def folder_song_path(*, folder: MusicFolder, relative_path: str) -> Path:
    """The real path of a file under a music folder, checked to stay inside it."""
    root = Path(folder.path)
    return inside_folder(root / relative_path, root=root)


def song_file_path(*, song: Song) -> Path:
    """The local path of the song's audio; raises SongFileUnavailableError if it cannot be read."""
    if song.folder is not None:
        return folder_song_path(folder=song.folder, relative_path=song.relative_path)
    if not song.audio.name:
        raise SongFileUnavailableError(f"song {song.pk} has no stored file")
    path = Path(song.audio.path)
    if not path.is_file():
        raise SongFileUnavailableError(f"audio file of song {song.pk} is missing")
    return path


def song_file_open(*, song: Song) -> tuple[IO[bytes], int]:
    """An open binary handle on the song's audio and its size in bytes (the caller closes it)."""
    if song.folder_id is not None:
        path = song_file_path(song=song)
        handle = path.open("rb")
        return handle, path.stat().st_size
    storage, name = song.audio.storage, song.audio.name
    if not name:
        raise SongFileUnavailableError(f"song {song.pk} has no stored file")
    size = storage.size(name)
    return storage.open(name, "rb"), size
