"""Writes for playlists: save a queue, radio, mix or path; rename, reorder, remove, share, delete;
import an M3U8 that names songs of the library.

Every function takes the playlist's owner's row already checked by the caller
(``library.selectors_listening.playlist_list_for_owner``); songs are checked here against what the
owner may see, so that a playlist never smuggles in someone else's private song.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from library.models import Playlist, PlaylistItem, Song
from library.selectors import songs_visible_to

MAX_PLAYLIST_SONGS = 1000


def _visible_in_order(*, owner: Any, song_ids: Sequence[int]) -> list[Song]:
    """The songs of `song_ids` that `owner` may see, in the given order (unknown ids dropped)."""
    found = songs_visible_to(user=owner).in_bulk(list(song_ids))
    return [found[song_id] for song_id in song_ids if song_id in found]


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A playlist needs a name.", code="blank_name")
    return name[:200]


def _write_items(playlist: Playlist, songs: Sequence[Song], notes: Sequence[str]) -> None:
    playlist.items.all().delete()
    PlaylistItem.objects.bulk_create(
        PlaylistItem(playlist=playlist, song=song, position=position, note=note[:200])
        for position, (song, note) in enumerate(zip(songs, notes, strict=True))
    )


def playlist_create(
    *,
    owner: Any,
    name: str,
    song_ids: Sequence[int] = (),
    notes: Sequence[str] | None = None,
    kind: str = Playlist.Kind.MANUAL,
) -> Playlist:
    """A playlist of the given songs in order (a saved queue, radio, mix or path).

    Songs the owner may not see are left out; `notes` (one per song id) say why each is there.
    """
    if len(song_ids) > MAX_PLAYLIST_SONGS:
        raise ValidationError(
            f"A playlist holds at most {MAX_PLAYLIST_SONGS} songs.", code="too_long"
        )
    notes_by_id = dict(zip(song_ids, notes or [""] * len(song_ids), strict=False))
    songs = _visible_in_order(owner=owner, song_ids=song_ids)
    with transaction.atomic():
        playlist = Playlist.objects.create(
            owner=owner,
            name=_clean_name(name),
            kind=kind if kind in Playlist.Kind.values else Playlist.Kind.MANUAL,
        )
        _write_items(playlist, songs, [notes_by_id.get(song.pk, "") for song in songs])
    return playlist


def playlist_update(
    *, playlist: Playlist, name: str | None = None, is_public: bool | None = None
) -> Playlist:
    """Rename and/or share (or unshare) a playlist."""
    if name is not None:
        playlist.name = _clean_name(name)
    if is_public is not None:
        playlist.is_public = is_public
    playlist.save(update_fields=["name", "is_public", "updated_at"])
    return playlist


def playlist_set_songs(*, playlist: Playlist, song_ids: Sequence[int]) -> Playlist:
    """Reorder or remove: the playlist becomes exactly `song_ids`, which must be its own songs.

    Each id keeps the note it had; an id that was not in the playlist is refused.
    """
    current = list(playlist.items.select_related("song"))
    notes = {item.song_id: item.note for item in current}
    songs = {item.song_id: item.song for item in current}
    unknown = [song_id for song_id in song_ids if song_id not in songs]
    if unknown:
        raise ValidationError(
            f"Songs {unknown} are not in this playlist; add them first.", code="not_in_playlist"
        )
    with transaction.atomic():
        _write_items(playlist, [songs[i] for i in song_ids], [notes[i] for i in song_ids])
        playlist.save(update_fields=["updated_at"])
    return playlist


def playlist_add_songs(*, playlist: Playlist, song_ids: Sequence[int]) -> Playlist:
    """Append songs the owner may see."""
    songs = _visible_in_order(owner=playlist.owner, song_ids=song_ids)
    start = playlist.items.count()
    if start + len(songs) > MAX_PLAYLIST_SONGS:
        raise ValidationError(
            f"A playlist holds at most {MAX_PLAYLIST_SONGS} songs.", code="too_long"
        )
    with transaction.atomic():
        PlaylistItem.objects.bulk_create(
            PlaylistItem(playlist=playlist, song=song, position=start + offset)
            for offset, song in enumerate(songs)
        )
        playlist.save(update_fields=["updated_at"])
    return playlist


def playlist_remove_position(*, playlist: Playlist, position: int) -> Playlist:
    """Remove the song at `position` (0-based); the ones after it move up."""
    ids = list(playlist.items.values_list("song_id", flat=True))
    if not 0 <= position < len(ids):
        raise ValidationError(f"No song at position {position}.", code="no_such_position")
    del ids[position]
    return playlist_set_songs(playlist=playlist, song_ids=ids)


def playlist_delete(*, playlist: Playlist) -> None:
    playlist.delete()


# --- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaylistImport:
    playlist: Playlist
    matched: int
    unmatched: list[str]  # the entries that name no song the owner may see


def _m3u_entries(text: str) -> list[tuple[str, str]]:
    """(location, "#EXTINF" title or "") for every entry of an M3U/M3U8 text."""
    entries = []
    title = ""
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        if line.startswith("#EXTINF:"):
            title = line.split(",", 1)[1].strip() if "," in line else ""
        elif not line.startswith("#"):
            entries.append((line, title))
            title = ""
    return entries


def _match(owner: Any, location: str, title: str) -> Song | None:
    """A visible song named by an entry: its Timbre URL, its file name, or "artist - title"."""
    songs = songs_visible_to(user=owner)
    parts = [part for part in location.replace("\\", "/").split("/") if part]
    # ".../songs/<id>/audio/" or ".../songs/<id>/": an export of this library.
    for index, part in enumerate(parts[:-1]):
        if part == "songs" and parts[index + 1].isdigit():
            song = songs.filter(pk=int(parts[index + 1])).first()
            if song is not None:
                return song
    filename = os.path.basename(location.replace("\\", "/"))
    if filename:
        song = songs.filter(original_filename=filename).order_by("pk").first()
        if song is not None:
            return song
    if " - " in title:
        artist, _, name = title.partition(" - ")
        song = (
            songs.filter(artist__iexact=artist.strip(), title__iexact=name.strip())
            .order_by("pk")
            .first()
        )
        if song is not None:
            return song
    if title:
        return songs.filter(title__iexact=title.strip()).order_by("pk").first()
    return None


def playlist_import_m3u(*, owner: Any, name: str, text: str) -> PlaylistImport:
    """A playlist of the library songs an M3U8 names, in its order; the rest are reported."""
    entries = _m3u_entries(text)
    if len(entries) > MAX_PLAYLIST_SONGS:
        raise ValidationError(
            f"A playlist holds at most {MAX_PLAYLIST_SONGS} songs.", code="too_long"
        )
    songs: list[int] = []
    unmatched = []
    for location, title in entries:
        song = _match(owner, location, title)
        if song is None:
            unmatched.append(title or location)
        else:
            songs.append(song.pk)
    playlist = playlist_create(owner=owner, name=name, song_ids=songs, kind=Playlist.Kind.IMPORT)
    return PlaylistImport(playlist=playlist, matched=len(songs), unmatched=unmatched)
