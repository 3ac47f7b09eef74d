"""Reads for listening: playlists (whose, which one may see), dislikes, plays and popularity."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from library.models import Dislike, Play, Playlist, PlaylistItem, Song
from library.models_listening import PLAYLIST_ORDERING
from library.selectors import User, songs_visible_to

# The recent skips that steer a user's recommendations.
RECENT_SKIPS = 50


def playlist_list_for_owner(*, owner: Any) -> QuerySet[Playlist]:
    return (
        Playlist.objects.filter(owner_id=owner.pk)
        .annotate(song_count=Count("items"))
        .order_by(*PLAYLIST_ORDERING)
    )


def playlist_list_visible(*, user: User) -> QuerySet[Playlist]:
    """The user's playlists and those others shared."""
    if not user.is_authenticated:
        return Playlist.objects.none()
    return (
        Playlist.objects.filter(Q(owner_id=user.pk) | Q(is_public=True))
        .annotate(song_count=Count("items"))
        .order_by(*PLAYLIST_ORDERING)
    )


def playlist_items(*, playlist: Playlist, user: User) -> list[PlaylistItem]:
    """The playlist's items in order, leaving out songs `user` may no longer see."""
    visible = songs_visible_to(user=user).values("pk")
    return list(playlist.items.filter(song__in=visible).select_related("song").order_by("position"))


def dislike_list_for_user(*, user: Any) -> QuerySet[Dislike]:
    return Dislike.objects.filter(user_id=user.pk).select_related("song").order_by("-created_at")


def disliked_song_ids(*, user: User | None) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Dislike.objects.filter(user_id=user.pk).values_list("song_id", flat=True))


def skipped_song_ids(*, user: User | None, limit: int = RECENT_SKIPS) -> list[int]:
    """Songs the user recently left before 30 s, most recent first (each once)."""
    if user is None or not user.is_authenticated:
        return []
    ids = Play.objects.filter(user_id=user.pk, skipped=True).values_list("song_id", flat=True)
    return list(dict.fromkeys(ids[: limit * 2]))[:limit]


def play_list_for_user(*, user: Any) -> QuerySet[Play]:
    return Play.objects.filter(user_id=user.pk).select_related("song")


def song_list_liked(*, user: Any) -> QuerySet[Song]:
    """Songs the user liked and may still see, most recently liked first."""
    return (
        songs_visible_to(user=user)
        .filter(likes__user_id=user.pk)
        .order_by("-likes__created_at", "-id")
    )
