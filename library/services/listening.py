"""Writes for listening: plays (what, when, how far) and "not for me" dislikes."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError

from library.models import Dislike, Play, Song
from library.models_listening import SKIP_SECONDS

# Where a play may come from; anything else is stored as "".
PLAY_CONTEXTS = frozenset({"song", "queue", "radio", "mix", "path", "playlist", "list"})


def play_is_skip(*, seconds_played: float, duration: float | None) -> bool:
    """Left before SKIP_SECONDS, unless the song is shorter and was heard to its end."""
    if seconds_played >= SKIP_SECONDS:
        return False
    return duration is None or seconds_played < duration - 1.0


def play_record(*, user: Any, song: Song, seconds_played: float, context: str = "") -> Play:
    """Record one listen of `song`; a listen under 30 s counts as a skip (softly, not a dislike)."""
    if not math.isfinite(seconds_played):
        raise ValidationError(
            f"seconds_played must be a number of seconds, got {seconds_played!r}.",
            code="invalid_seconds",
        )
    seconds = max(0.0, float(seconds_played))
    if song.duration:
        seconds = min(seconds, float(song.duration))
    return Play.objects.create(
        user_id=user.pk,
        song=song,
        seconds_played=seconds,
        skipped=play_is_skip(seconds_played=seconds, duration=song.duration),
        context=context if context in PLAY_CONTEXTS else "",
    )


def dislike_create(*, user: Any, song: Song) -> Dislike:
    """ "Not for me"; saying it again changes nothing. A disliked song is no longer liked."""
    dislike, _ = Dislike.objects.get_or_create(user_id=user.pk, song=song)
    song.likes.filter(user_id=user.pk).delete()
    return dislike


def dislike_delete(*, user: Any, song: Song) -> None:
    """Undo "not for me"; undoing one that was not there changes nothing."""
    Dislike.objects.filter(user_id=user.pk, song=song).delete()
