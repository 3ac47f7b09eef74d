"""The library: every song the user may see, searchable, filterable, sortable and paginated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from classifier.selectors import model_version_active
from library.selectors import genre_label_list
from recommender.songs import model_versions_shown, song_list
from web.forms import LibraryFilterForm

SONGS_PER_PAGE = 25


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    versions = model_versions_shown()
    form = LibraryFilterForm(
        request.GET,
        genres=list(versions[0].class_names) if versions else [],
        labels=[genre.name for genre in genre_label_list()],
    )
    songs = song_list(user=request.user, versions=versions, **form.filters())
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(name) for name in ("q", "genre", "label", "status")),
        "model": model_version_active(),
    }
    return render(request, "web/home.html", context)
