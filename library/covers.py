"""Album covers: the picture a file embeds or the cover.jpg beside it, stored as a small JPEG.

Only a thumbnail is kept (the original is never served), and a picture Pillow cannot read is
ignored: a cover is decoration, never a reason to refuse a song.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from library.models import Album

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
# Beside the audio file, case-insensitively, in this order of preference.
FOLDER_COVER_NAMES = ("cover.jpg", "folder.jpg", "cover.jpeg", "folder.jpeg", "cover.png")
_MAX_PICTURE_BYTES = 20 * 1024 * 1024
# Pillow refuses images with more pixels than this (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000


def cover_thumbnail(picture: bytes) -> bytes | None:
    """A JPEG of at most THUMBNAIL_SIZE from any image Pillow reads; None if it reads none."""
    try:
        with Image.open(io.BytesIO(picture)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        logger.info("cover picture unreadable: %s", error)
        return None
    return output.getvalue()


def folder_cover(directory: Path, *, root: Path) -> bytes | None:
    """The bytes of cover.jpg / folder.jpg in `directory`, if one is there and inside `root`."""
    try:
        names = {entry.name.lower(): entry for entry in directory.iterdir() if entry.is_file()}
    except OSError:
        return None
    for name in FOLDER_COVER_NAMES:
        entry = names.get(name)
        if entry is None:
            continue
        try:
            real = entry.resolve(strict=True)
            if not real.is_relative_to(root) or real.stat().st_size > _MAX_PICTURE_BYTES:
                continue  # a link out of the music folder is never read
            return real.read_bytes()
        except OSError:
            continue
    return None


def album_cover_set(*, album: Album, picture: bytes) -> bool:
    """Store a thumbnail of `picture` as the album's cover; False when it is not an image."""
    thumbnail = cover_thumbnail(picture)
    if thumbnail is None:
        return False
    old = album.cover.name
    album.cover.save("cover.jpg", ContentFile(thumbnail), save=False)
    album.save(update_fields=["cover"])
    if old:
        album.cover.storage.delete(old)
    return True
