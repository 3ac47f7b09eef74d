"""The user's library pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from classifier.selectors import model_version_active
from recommender.forms import SongEditForm
from recommender.selectors import song_list_for_owner, song_list_with_prediction
from recommender.services import song_update


@login_required
def home(request: HttpRequest) -> HttpResponse:
    songs = song_list_for_owner(owner=request.user)[:50]
    return render(
        request, "recommender/home.html", {"songs": songs, "model": model_version_active()}
    )


@login_required
def song_detail(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_object_or_404(song_list_with_prediction(owner=request.user), pk=song_id)
    return render(
        request,
        "recommender/song_detail.html",
        {"song": song, "model": model_version_active()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def song_edit(request: HttpRequest, song_id: int) -> HttpResponse:
    # Other users' songs are not in the owner's list: 404, not 403, so ids reveal nothing.
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
    return render(request, "recommender/song_edit.html", {"song": song, "form": form})
