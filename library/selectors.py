"""Reads for the library: who may see which song, an owner's songs and storage, likes.

Visibility is decided here and only here: dataset songs (no owner), songs shared by their owner,
and the user's own uploads. Every list a user sees starts from `songs_visible_to`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet, Sum

from library.models import Genre, Like, Song

User = AbstractBaseUser | AnonymousUser


def visible_q(*, user: User | None, prefix: str = "") -> Q:
    """Dataset songs (no owner), songs shared by their owner, and the user's own uploads.

    `prefix` reaches a song through a relation, e.g. ``"song__"`` from an analysis.
    """
    visible = Q(**{f"{prefix}owner__isnull": True}) | Q(**{f"{prefix}is_public": True})
    if user is not None and user.is_authenticated:
        visible |= Q(**{f"{prefix}owner_id": user.pk})
    return visible


def visible_sql(*, user: User | None, alias: str) -> tuple[str, list[Any]]:
    """``visible_q`` as SQL on the song table aliased `alias`, for the raw vector searches
    (recommender.search): the condition and its parameters."""
    if user is not None and user.is_authenticated:
        return (
            f"({alias}.owner_id IS NULL OR {alias}.is_public OR {alias}.owner_id = %s)",
            [user.pk],
        )
    return f"({alias}.owner_id IS NULL OR {alias}.is_public)", []


# Every column of a song, for the raw searches that read whole songs along with what they rank
# (recommender.search): one round trip, no query building.
_SONG_FIELDS = Song._meta.concrete_fields
_SONG_ATTNAMES = [field.attname for field in _SONG_FIELDS]
_SONG_CONVERTERS = [
    (index, field.from_db_value)
    for index, field in enumerate(_SONG_FIELDS)
    if hasattr(field, "from_db_value")
]


def song_columns_sql(*, alias: str) -> str:
    """The columns ``song_from_values`` reads, in its order, of the song table aliased `alias`."""
    return ", ".join(f'{alias}."{field.column}"' for field in _SONG_FIELDS)


def song_from_values(values: Sequence[Any]) -> Song:
    """A song from the values of ``song_columns_sql``, as the ORM would have built it."""
    row = list(values)
    for index, convert in _SONG_CONVERTERS:
        row[index] = convert(row[index], None, connection)
    return Song.from_db(connection.alias, _SONG_ATTNAMES, row)


def songs_visible_to(*, user: User | None) -> QuerySet[Song]:
    """The songs `user` may see (anonymous or None: only dataset and shared songs)."""
    return Song.objects.filter(visible_q(user=user))


def song_list_for_owner(*, owner: Any) -> QuerySet[Song]:
    return Song.objects.filter(owner=owner).select_related("genre")


def owner_storage_used(*, owner: Any) -> int:
    """Bytes the owner's songs take, as counted against USER_QUOTA_BYTES."""
    return Song.objects.filter(owner=owner).aggregate(used=Sum("size_bytes"))["used"] or 0


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_file_bytes: int
    quota_bytes: int
    used_bytes: int


def upload_limits(*, owner: Any) -> UploadLimits:
    return UploadLimits(
        max_files=settings.MAX_FILES_PER_UPLOAD,
        max_file_bytes=settings.MAX_UPLOAD_BYTES,
        quota_bytes=settings.USER_QUOTA_BYTES,
        used_bytes=owner_storage_used(owner=owner),
    )


def genre_label_list() -> QuerySet[Genre]:
    """Ground-truth labels that some song carries, for the library's label filter."""
    return Genre.objects.filter(songs__isnull=False).distinct().order_by("name")


def like_list_for_user(*, user: Any) -> QuerySet[Like]:
    """The user's likes, newest first, of songs they may still see."""
    return (
        Like.objects.filter(user_id=user.pk, song__in=songs_visible_to(user=user))
        .select_related("song")
        .order_by("-created_at", "-id")
    )


def song_like_count(*, song: Song) -> int:
    return Like.objects.filter(song=song).count()


def song_liked_ids(*, user: User, songs: Iterable[Song]) -> set[int]:
    """Which of `songs` the user likes, in one query."""
    if not user.is_authenticated:
        return set()
    ids = [song.pk for song in songs]
    return set(
        Like.objects.filter(user_id=user.pk, song_id__in=ids).values_list("song_id", flat=True)
    )
