"""Writes for likes: what a user likes shapes their recommendations."""

from __future__ import annotations

from django.contrib.auth.models import User

from library.models import Like, Song


def like_create(*, user: User, song: Song) -> Like:
    """Like a song; liking it again changes nothing (the pair is unique in the database)."""
    like, _ = Like.objects.get_or_create(user_id=user.pk, song=song)
    return like


def like_delete(*, user: User, song: Song) -> None:
    """Unlike a song; unliking one that was not liked changes nothing."""
    Like.objects.filter(user_id=user.pk, song=song).delete()
