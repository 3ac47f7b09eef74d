"""The library: every song the user may see, searchable, filterable, sortable and paginated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from classifier.selectors import model_version_active, model_version_serving
from recommender.forms import LibraryFilterForm
from recommender.selectors_library import genre_label_list, song_list_library

SONGS_PER_PAGE = 25


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    version = model_version_serving()
    form = LibraryFilterForm(
        request.GET,
        genres=list(version.class_names) if version is not None else [],
        labels=[genre.name for genre in genre_label_list()],
    )
    songs = song_list_library(user=request.user, version=version, **form.filters())
    page = Paginator(songs, SONGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(name) for name in ("q", "genre", "label", "status")),
        "model": model_version_active(),
    }
    return render(request, "recommender/home.html", context)
