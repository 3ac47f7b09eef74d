"""Writes for albums: the album a file's tags name, and its cover."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from library.covers import album_cover_set
from library.models import Album
from library.tags import FileTags


def album_for_tags(*, tags: FileTags, folder_cover: bytes | None = None) -> Album | None:
    """The album the tags name (created on first sight), with a cover once one is known.

    Songs of one album meet on (album artist, else track artist; album title). The cover is the
    first picture found: the file's embedded art, else `folder_cover` (cover.jpg beside it).
    No album tag, no album.
    """
    if not tags.album:
        return None
    artist = tags.album_artist or tags.artist
    album = Album.objects.filter(artist=artist, title=tags.album).first()
    if album is None:
        try:
            with transaction.atomic():
                album = Album.objects.create(artist=artist, title=tags.album, year=tags.year)
        except IntegrityError:  # created meanwhile by another upload or scan
            album = Album.objects.get(artist=artist, title=tags.album)
    if not album.cover:
        for picture in (tags.cover, folder_cover):
            if picture and album_cover_set(album=album, picture=picture):
                break
    return album
