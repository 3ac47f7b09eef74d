"""Albums and artists: the albums grid, an album's tracks in order, an artist's albums and songs.

Albums are read through `library.albums` (an album shows when one of its songs may be seen) and
tracks through the one song list (`recommender.songs.song_list`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from library.albums import album_cover_visible, album_list, album_visible, artist_exists
from recommender.songs import model_versions_shown, song_list

ALBUMS_PER_PAGE = 48
SONGS_PER_PAGE = 50


@login_required
@require_GET
def album_index(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    albums = album_list(user=request.user, search=search)
    page = Paginator(albums, ALBUMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/album_list.html", {"page": page, "q": search})


@login_required
@require_GET
def album_detail(request: HttpRequest, album_id: int) -> HttpResponse:
    album = album_visible(user=request.user, album_id=album_id)
    if album is None:
        raise Http404("No such album.")
    tracks = song_list(
        user=request.user, versions=model_versions_shown(), album=album.pk, ordering="track"
    )
    return render(request, "web/album_detail.html", {"album": album, "tracks": tracks})


@login_required
@require_GET
def album_cover(request: HttpRequest, album_id: int) -> HttpResponseBase:
    """The album's cover thumbnail (a JPEG made by the scan or upload, never the original)."""
    album = album_cover_visible(user=request.user, album_id=album_id)
    if album is None:
        raise Http404("No cover for this album.")
    try:
        handle = album.cover.open("rb")
    except FileNotFoundError as error:
        raise Http404("No cover for this album.") from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def artist_detail(request: HttpRequest, name: str) -> HttpResponse:
    if not artist_exists(user=request.user, name=name):
        raise Http404("No such artist.")
    albums = album_list(user=request.user, artist=name)
    songs = song_list(
        user=request.user, versions=model_versions_shown(), artist=name, ordering="album"
    )
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/artist_detail.html", {"name": name, "albums": albums, "page": page})
