"""Reads for the library: who may see which song, an owner's songs and storage, likes.

Visibility is decided here and only here: dataset songs (no owner), songs shared by their owner,
and the user's own uploads. Every list a user sees starts from `songs_visible_to`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
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
