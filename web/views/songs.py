"""One song: its page, audio, spectrogram, likes, sharing and the owner's edits.

Every view looks the song up among those the user may see (``songs_visible_to``), or among their
own for the owner's actions: any other id is a 404, never a 403, so ids reveal nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audio.errors import InvalidAudioError
from classifier.selectors import model_version_active, model_version_serving
from library.models import Song
from library.selectors import song_liked_ids, song_list_for_owner, songs_visible_to
from library.selectors_listening import disliked_song_ids, song_list_liked
from library.services import (
    like_create,
    like_delete,
    song_file_missing,
    song_set_public,
    song_update,
)
from library.streaming import song_audio_response
from recommender.recommendations import song_list_similar
from recommender.songs import model_versions_shown, song_profile
from web.forms import SongEditForm
from web.spectrograms import song_spectrogram_png, spectrogram_params

SIMILAR_SONGS = 10
PATH_TARGETS = 20


def _visible_song(request: HttpRequest, song_id: int) -> Song:
    return get_object_or_404(
        songs_visible_to(user=request.user).select_related("genre", "album"), pk=song_id
    )


@login_required
@require_GET
def song_detail(request: HttpRequest, song_id: int) -> HttpResponse:
    song = _visible_song(request, song_id)
    version = model_version_serving()
    similar = song_list_similar(song=song, user=request.user, limit=SIMILAR_SONGS, version=version)
    liked = song_list_liked(user=request.user).exclude(pk=song.pk)[:PATH_TARGETS]
    context = {
        "song": song,
        "is_owner": song.owner_id is not None and song.owner_id == request.user.pk,
        "profile": song_profile(song=song, versions=model_versions_shown()),
        "similar": similar,
        "liked_ids": song_liked_ids(user=request.user, songs=[song, *(s.song for s in similar)]),
        "model": model_version_active(),
        "file_missing": song_file_missing(song=song),
        "disliked": song.pk in disliked_song_ids(user=request.user),
        # Where a path from this song may lead: the songs I liked, then the similar ones.
        "path_targets": list(dict.fromkeys([*liked, *(s.song for s in similar)])),
    }
    return render(request, "web/song_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def song_audio(request: HttpRequest, song_id: int) -> HttpResponseBase:
    """The stored file for the page's <audio> player, with range requests for seeking."""
    song = _visible_song(request, song_id)
    try:
        return song_audio_response(request, song=song)
    except FileNotFoundError as error:
        raise Http404("The audio file of this song is missing.") from error


@login_required
@require_GET
def song_spectrogram(request: HttpRequest, song_id: int) -> HttpResponseBase:
    """A PNG of the log-mel spectrogram of the song's first 30 s, as the serving model sees it."""
    song = _visible_song(request, song_id)
    params = spectrogram_params(version=model_version_serving())
    try:
        path = song_spectrogram_png(song=song, params=params)
    except (InvalidAudioError, FileNotFoundError) as error:
        raise Http404("No spectrogram for this song.") from error
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_POST
def song_like(request: HttpRequest, song_id: int) -> HttpResponse:
    song = _visible_song(request, song_id)
    like_create(user=request.user, song=song)  # type: ignore[arg-type]  # logged in
    return _liked_response(request, song=song, liked=True)


@login_required
@require_POST
def song_unlike(request: HttpRequest, song_id: int) -> HttpResponse:
    song = _visible_song(request, song_id)
    like_delete(user=request.user, song=song)  # type: ignore[arg-type]  # logged in
    return _liked_response(request, song=song, liked=False)


def _liked_response(request: HttpRequest, *, song: Song, liked: bool) -> HttpResponse:
    """JSON for like.js, else back to the page the button was on."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"id": song.pk, "liked": liked})
    return _redirect_back(request, fallback=song.get_absolute_url())


def _redirect_back(request: HttpRequest, *, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if safe else fallback)


@login_required
@require_POST
def song_share(request: HttpRequest, song_id: int) -> HttpResponse:
    """The owner shares the song with everyone in the library, or makes it private again."""
    song = get_object_or_404(song_list_for_owner(owner=request.user), pk=song_id)
    is_public = request.POST.get("is_public") == "1"
    song_set_public(song=song, is_public=is_public)
    messages.success(
        request, "Shared to the library." if is_public else "Private again: only you see it."
    )
    return redirect(song)


@login_required
@require_http_methods(["GET", "POST"])
def song_edit(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_object_or_404(song_list_for_owner(owner=request.user), pk=song_id)
    form = SongEditForm(request.POST or None, initial={"title": song.title, "artist": song.artist})
    if request.method == "POST" and form.is_valid():
        try:
            song_update(
                song=song, title=form.cleaned_data["title"], artist=form.cleaned_data["artist"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect(song)
    return render(request, "web/song_edit.html", {"song": song, "form": form})
