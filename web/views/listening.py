"""Listening pages: my uploads, liked songs, "not for me", playlists, and a path between songs.

Radio, mixes and the queue run in the player (static/js/player.js) over the JSON API; these pages
hold the lists it plays from and the forms that change them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classifier.selectors import model_version_active
from library.models import Playlist, Song
from library.playlist_formats import EXPORT_FORMATS, playlist_file
from library.selectors import song_liked_ids, song_list_for_owner, songs_visible_to
from library.selectors_listening import (
    dislike_list_for_user,
    playlist_items,
    playlist_list_for_owner,
    playlist_list_visible,
)
from library.services import dislike_create, dislike_delete, song_delete
from library.services.playlists import (
    playlist_delete,
    playlist_import_m3u,
    playlist_remove_position,
    playlist_set_songs,
    playlist_update,
)
from library.services.songs import songs_requeue
from recommender.paths import MAX_STEPS, MIN_STEPS, song_path
from recommender.songs import model_versions_shown, song_list
from web.views.songs import _redirect_back, _visible_song

SONGS_PER_PAGE = 25
MAX_IMPORT_BYTES = 1_000_000


# --- my songs ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_uploads(request: HttpRequest) -> HttpResponse:
    songs = song_list(user=request.user, versions=model_versions_shown(), mine=True)
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "model": model_version_active()}
    return render(request, "web/my_uploads.html", context)


@login_required
@require_GET
def liked(request: HttpRequest) -> HttpResponse:
    songs = song_list(user=request.user, versions=model_versions_shown()).filter(
        likes__user_id=request.user.pk
    )
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "mix_seeds": ",".join(str(song.pk) for song in page.object_list[:10]),
        "dislikes": dislike_list_for_user(user=request.user)[:50],
        "liked_ids": {song.pk for song in page.object_list},
    }
    return render(request, "web/liked.html", context)


@login_required
@require_POST
def song_delete_view(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_object_or_404(song_list_for_owner(owner=request.user), pk=song_id)
    song_delete(song=song)
    messages.success(request, f"Deleted “{song.title}”.")
    return _redirect_back(request, fallback=reverse("web:my_uploads"))


@login_required
@require_POST
def song_retry(request: HttpRequest, song_id: int) -> HttpResponse:
    """Analyse a failed song of mine again."""
    song = get_object_or_404(
        song_list_for_owner(owner=request.user).filter(status=Song.Status.FAILED), pk=song_id
    )
    songs_requeue(songs=[song])
    messages.success(request, f"“{song.title}” is queued for analysis again.")
    return _redirect_back(request, fallback=reverse("web:my_uploads"))


@login_required
@require_POST
def song_dislike(request: HttpRequest, song_id: int) -> HttpResponse:
    song = _visible_song(request, song_id)
    if request.POST.get("undo") == "1":
        dislike_delete(user=request.user, song=song)
        messages.success(request, f"“{song.title}” is back in your recommendations.")
    else:
        dislike_create(user=request.user, song=song)
        messages.success(request, f"Not for you: “{song.title}” and songs like it go down.")
    return _redirect_back(request, fallback=song.get_absolute_url())


# --- playlists -----------------------------------------------------------------------------------


def _own_playlist(request: HttpRequest, playlist_id: int) -> Playlist:
    return get_object_or_404(playlist_list_for_owner(owner=request.user), pk=playlist_id)


@login_required
@require_GET
def playlist_list(request: HttpRequest) -> HttpResponse:
    playlists = playlist_list_visible(user=request.user).select_related("owner")
    return render(request, "web/playlist_list.html", {"playlists": playlists})


@login_required
@require_POST
def playlist_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    name = request.POST.get("name", "").strip() or (upload.name if upload else "") or "Imported"
    if upload is None or (upload.size or 0) > MAX_IMPORT_BYTES:
        messages.error(request, "Choose an M3U8 file (at most 1 MB).")
        return redirect("web:playlist_list")
    text = upload.read().decode("utf-8", errors="replace")
    result = playlist_import_m3u(owner=request.user, name=name, text=text)
    note = f" {len(result.unmatched)} entries name no song here." if result.unmatched else ""
    messages.success(request, f"Imported {result.matched} songs.{note}")
    return redirect(result.playlist)


@login_required
@require_GET
def playlist_detail(request: HttpRequest, playlist_id: int) -> HttpResponse:
    playlist = get_object_or_404(
        playlist_list_visible(user=request.user).select_related("owner"), pk=playlist_id
    )
    items = playlist_items(playlist=playlist, user=request.user)
    context = {
        "playlist": playlist,
        "items": items,
        "is_owner": playlist.owner_id == request.user.pk,
        "liked_ids": song_liked_ids(user=request.user, songs=[item.song for item in items]),
    }
    return render(request, "web/playlist_detail.html", context)


@login_required
@require_POST
def playlist_edit(request: HttpRequest, playlist_id: int) -> HttpResponse:
    """Rename, share or unshare."""
    playlist = _own_playlist(request, playlist_id)
    name = request.POST.get("name")
    public = request.POST.get("is_public")
    try:
        playlist_update(
            playlist=playlist,
            name=name,
            is_public=None if public is None else public == "1",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(playlist)


@login_required
@require_POST
def playlist_move(request: HttpRequest, playlist_id: int) -> HttpResponse:
    """Move the song at `position` one place up or down, or remove it."""
    playlist = _own_playlist(request, playlist_id)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError as error:
        raise Http404("No such position.") from error
    ids = list(playlist.items.values_list("song_id", flat=True))
    action = request.POST.get("action")
    if not 0 <= position < len(ids):
        raise Http404("No such position.")
    if action == "remove":
        playlist_remove_position(playlist=playlist, position=position)
    elif action in ("up", "down"):
        other = position - 1 if action == "up" else position + 1
        if 0 <= other < len(ids):
            ids[position], ids[other] = ids[other], ids[position]
            playlist_set_songs(playlist=playlist, song_ids=ids)
    return redirect(playlist)


@login_required
@require_POST
def playlist_delete_view(request: HttpRequest, playlist_id: int) -> HttpResponse:
    playlist = _own_playlist(request, playlist_id)
    playlist_delete(playlist=playlist)
    messages.success(request, f"Deleted the playlist “{playlist.name}”.")
    return redirect("web:playlist_list")


@login_required
@require_GET
def playlist_export(request: HttpRequest, playlist_id: int, kind: str) -> HttpResponse:
    if kind not in EXPORT_FORMATS:
        raise Http404("M3U8 or XSPF only.")
    playlist = get_object_or_404(playlist_list_visible(user=request.user), pk=playlist_id)
    exported = playlist_file(
        playlist=playlist, user=request.user, kind=kind, absolute=request.build_absolute_uri
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


# --- paths ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def path_page(request: HttpRequest) -> HttpResponse:
    """A path between two songs, each step with its similarity to the one before."""
    visible = songs_visible_to(user=request.user)
    try:
        start = visible.get(pk=int(request.GET.get("start", "")))
        end = visible.get(pk=int(request.GET.get("end", "")))
        steps = min(max(int(request.GET.get("steps", "10")), MIN_STEPS), MAX_STEPS)
    except (ValueError, Song.DoesNotExist) as error:
        raise Http404("Choose two songs you may see.") from error
    path = song_path(start=start, end=end, user=request.user, steps=steps)
    context: dict[str, Any] = {"start": start, "end": end, "steps": steps, "path": path}
    return render(request, "web/path.html", context)
