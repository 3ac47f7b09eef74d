"""Reads for albums and artists: which albums a user may browse, and an artist's albums.

An album is shown to a user when at least one of its songs is (`library.selectors.visible_q`):
the same rule as for songs, never a second one. An artist is a name, as the tags write it: the
songs' artist or their album's artist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from library.models import Album, Song
from library.selectors import User, songs_visible_to, visible_q


def album_list(*, user: User, search: str = "", artist: str = "") -> QuerySet[Any]:
    """Albums with a song `user` may see, each with `song_count` (of those songs), by artist.

    `search` keeps albums whose title or artist contains every word; `artist` those by that
    artist (album artist, or the artist of one of its songs), ignoring case.
    """
    visible = songs_visible_to(user=user).filter(album=OuterRef("pk"))
    albums = Album.objects.filter(Exists(visible)).annotate(
        song_count=Count("songs", filter=visible_q(user=user, prefix="songs__"))
    )
    for word in search.split():
        albums = albums.filter(Q(title__icontains=word) | Q(artist__icontains=word))
    if artist:
        by_artist = visible.filter(artist__iexact=artist)
        albums = albums.filter(Q(artist__iexact=artist) | Exists(by_artist))
    return albums.order_by(Lower("artist"), Lower("title"), "id")


def album_visible(*, user: User, album_id: int) -> Album | None:
    """The album, if `user` may see one of its songs."""
    return album_list(user=user).filter(pk=album_id).first()


def artist_exists(*, user: User, name: str) -> bool:
    """Whether `user` may see a song by `name` (as track or album artist)."""
    return (
        songs_visible_to(user=user)
        .filter(Q(artist__iexact=name) | Q(album__artist__iexact=name))
        .exists()
    )


def album_cover_visible(*, user: User, album_id: int) -> Album | None:
    """The album, with a cover, if `user` may see one of its songs."""
    return (
        Album.objects.filter(pk=album_id)
        .exclude(cover="")
        .filter(Exists(Song.objects.filter(visible_q(user=user), album=OuterRef("pk"))))
        .first()
    )


def artist_list(*, user: User) -> list[tuple[str, int]]:
    """Every artist `user` may see a song by (track or album artist) and their number of albums,
    by name ignoring case. Names that differ only in case are one artist, as in `artist_exists`.
    """
    names: dict[str, str] = {}
    albums: dict[str, set[int]] = {}
    rows = songs_visible_to(user=user).values_list("artist", "album_id", "album__artist")
    for song_artist, album_pk, album_artist in rows.distinct():
        for name in {song_artist.strip(), (album_artist or "").strip()}:
            if not name:
                continue
            key = name.casefold()
            names.setdefault(key, name)
            if album_pk is not None:
                albums.setdefault(key, set()).add(album_pk)
    return [(names[key], len(albums.get(key, ()))) for key in sorted(names)]
