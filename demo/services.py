"""The synthetic demo library: procedurally generated songs in a few clearly different styles.

A fresh install has nothing to listen to and nothing to train on; these songs give it both. They
are labelled synthetic everywhere (their source, their genre and their tags say so).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import transaction

from demo.synth import STYLE_LABELS, STYLES, write_song
from library.models import Genre, Song
from library.services import genre_get_or_create, song_create, song_delete

DEMO_SECONDS = 30.0


@dataclass(frozen=True)
class DemoLibraryReport:
    created: int
    existing: int


@dataclass(frozen=True)
class DemoLibraryRemoval:
    songs: int
    genres: int


def demo_library_create(
    *,
    songs_per_style: int,
    seconds: float = DEMO_SECONDS,
    styles: tuple[str, ...] = STYLES,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> DemoLibraryReport:
    """Synthesise `songs_per_style` songs of each style as labelled, shared dataset songs.

    Deterministic: running it again finds the same bytes and creates nothing new.
    """
    created = existing = 0
    total = songs_per_style * len(styles)
    with tempfile.TemporaryDirectory(prefix="timbre-demo-") as folder:
        for style in styles:
            genre = _demo_genre(style)
            for seed in range(songs_per_style):
                path = write_song(
                    Path(folder) / f"{style}-{seed}.flac", style=style, seconds=seconds, seed=seed
                )
                with path.open("rb") as handle:
                    result = song_create(
                        owner=None, upload=File(handle, name=path.name),
                        original_filename=path.name, source=Song.Source.SYNTHETIC, genre=genre,
                    )  # fmt: skip
                path.unlink()
                created += result.created
                existing += not result.created
                if on_progress is not None:
                    on_progress(created + existing, total, result.song.title)
    return DemoLibraryReport(created=created, existing=existing)


def _demo_genre(style: str) -> Genre:
    genre = genre_get_or_create(name=style, is_synthetic=True)
    if not genre.display_name:
        genre.display_name = STYLE_LABELS[style]
        genre.save(update_fields=["display_name"])
    return genre


def demo_library_remove() -> DemoLibraryRemoval:
    """Delete every synthetic demo song (files too) and the demo styles no song uses any more."""
    songs = list(Song.objects.filter(source=Song.Source.SYNTHETIC))
    with transaction.atomic():
        for song in songs:
            song_delete(song=song)
        genres, _ = Genre.objects.filter(is_synthetic=True, songs__isnull=True).delete()
    return DemoLibraryRemoval(songs=len(songs), genres=genres)
