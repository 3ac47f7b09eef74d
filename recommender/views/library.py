"""The user's library pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from classifier.selectors import model_version_active
from recommender.selectors import song_list_for_owner


@login_required
def home(request: HttpRequest) -> HttpResponse:
    songs = song_list_for_owner(owner=request.user)[:50]
    return render(
        request, "recommender/home.html", {"songs": songs, "model": model_version_active()}
    )


@login_required
def song_detail(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_object_or_404(song_list_for_owner(owner=request.user), pk=song_id)
    return render(request, "recommender/song_detail.html", {"song": song})
