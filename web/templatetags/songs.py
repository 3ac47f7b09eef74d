"""Template filters for the library pages: `{% load songs %}`."""

from __future__ import annotations

from typing import Any

from django import template

from library.models import Song
from library.upload_limits import format_size
from recommender.songs import song_status_label

register = template.Library()


@register.filter
def status_label(song: Song, model_active: Any) -> str:
    """`{{ song|status_label:model }}`: the label that status.js later keeps up to date."""
    return song_status_label(status=song.status, model_active=bool(model_active))


@register.filter
def size(value: int) -> str:
    """`{{ limits.max_file_bytes|size }}` -> "100 MB", as the limits are configured."""
    return format_size(int(value or 0))


@register.filter
def duration(seconds: float | None) -> str:
    """`{{ song.duration|duration }}` -> "3:07"; "" when unknown."""
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


@register.filter
def genre_text(name: str | None) -> str:
    """`{{ "hip-hop"|genre_text }}` -> "hip hop": genre names as the pages show them."""
    return (name or "").replace("-", " ").replace("_", " ")


@register.filter
def contains(collection: Any, item: Any) -> bool:
    """`{% with liked=liked_ids|contains:song.pk %}`: `in`, where only a filter fits."""
    return item in (collection or ())
