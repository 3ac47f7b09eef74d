"""Playlist files: M3U8 (extended M3U in UTF-8) and XSPF 1 (XML Shareable Playlist Format).

Both are written from (song, location) pairs: the caller decides what a location is (the song's
absolute audio URL for an export, so that a player signed in to Timbre can fetch it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

from django.urls import reverse

from library.models import Playlist, Song
from library.selectors import User
from library.selectors_listening import playlist_items

XSPF_NAMESPACE = "http://xspf.org/ns/0/"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def playlist_m3u8(*, name: str, entries: Iterable[tuple[Song, str]]) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(name)}"]
    for song, location in entries:
        seconds = round(song.duration) if song.duration else -1
        title = f"{song.artist} - {song.title}" if song.artist else song.title
        lines.append(f"#EXTINF:{seconds},{_one_line(title)}")
        lines.append(location)
    return "\n".join(lines) + "\n"


def playlist_xspf(*, name: str, entries: Iterable[tuple[Song, str]]) -> str:
    ElementTree.register_namespace("", XSPF_NAMESPACE)
    root = ElementTree.Element(f"{{{XSPF_NAMESPACE}}}playlist", version="1")
    ElementTree.SubElement(root, f"{{{XSPF_NAMESPACE}}}title").text = name
    tracks = ElementTree.SubElement(root, f"{{{XSPF_NAMESPACE}}}trackList")
    for song, location in entries:
        track = ElementTree.SubElement(tracks, f"{{{XSPF_NAMESPACE}}}track")
        ElementTree.SubElement(track, f"{{{XSPF_NAMESPACE}}}location").text = location
        ElementTree.SubElement(track, f"{{{XSPF_NAMESPACE}}}title").text = song.title
        if song.artist:
            ElementTree.SubElement(track, f"{{{XSPF_NAMESPACE}}}creator").text = song.artist
        if song.duration:
            duration = str(round(song.duration * 1000))
            ElementTree.SubElement(track, f"{{{XSPF_NAMESPACE}}}duration").text = duration
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# Export formats by name: (media type, file extension).
EXPORT_FORMATS = {
    "m3u8": ("audio/x-mpegurl; charset=utf-8", "m3u8"),
    "xspf": ("application/xspf+xml; charset=utf-8", "xspf"),
}


@dataclass(frozen=True)
class PlaylistFile:
    content: str
    content_type: str
    filename: str


def playlist_file(
    *, playlist: Playlist, user: User, kind: str, absolute: Callable[[str], str]
) -> PlaylistFile:
    """The playlist as an M3U8 or XSPF file (`kind`) of the songs `user` may see.

    Each location is the song's audio URL, made absolute by `absolute` (the request's
    ``build_absolute_uri``), so that a player signed in to Timbre can stream it.
    """
    content_type, extension = EXPORT_FORMATS[kind]
    entries = [
        (item.song, absolute(reverse("web:song_audio", args=[item.song_id])))
        for item in playlist_items(playlist=playlist, user=user)
    ]
    write = playlist_m3u8 if kind == "m3u8" else playlist_xspf
    stem = "".join(c if c.isalnum() or c in "-_ " else "_" for c in playlist.name).strip()
    return PlaylistFile(
        content=write(name=playlist.name, entries=entries),
        content_type=content_type,
        filename=f"{stem or 'playlist'}.{extension}",
    )
