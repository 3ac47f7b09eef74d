"""Ways into the library besides the list: "for you", genres, and the map of embeddings.

Each page reads the serving model version once and passes it on, so that one page never mixes
two versions' predictions (``classifier.selectors.model_version_serving``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from classifier.selectors import model_version_serving
from library.selectors import song_liked_ids
from recommender.genres import analysis_list_in_genre, genre_list_counts
from recommender.maps import map_points
from recommender.recommendations import song_list_for_you

FOR_YOU_SONGS = 20
GENRE_SONGS_PER_PAGE = 25


@login_required
@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    picks = song_list_for_you(user=request.user, limit=FOR_YOU_SONGS)
    liked_ids = song_liked_ids(user=request.user, songs=[item.song for item in picks.items])
    return render(request, "web/for_you.html", {"for_you": picks, "liked_ids": liked_ids})


@login_required
@require_GET
def genre_list(request: HttpRequest) -> HttpResponse:
    version = model_version_serving()
    genres = genre_list_counts(user=request.user, version=version) if version else []
    return render(request, "web/genre_list.html", {"genres": genres, "version": version})


@login_required
@require_GET
def genre_detail(request: HttpRequest, name: str) -> HttpResponse:
    version = model_version_serving()
    if version is None:
        raise Http404("No genre model serves the library yet.")
    analyses = analysis_list_in_genre(user=request.user, version=version, genre=name)
    if name not in version.class_names and not analyses.exists():
        raise Http404(f"The model knows no genre called {name!r}.")
    page = Paginator(analyses, GENRE_SONGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"genre": name.replace("-", " ").replace("_", " "), "page": page, "version": version}
    return render(request, "web/genre_detail.html", context)


@login_required
@require_GET
def song_map(request: HttpRequest) -> HttpResponse:
    return render(request, "web/map.html", {"version": model_version_serving()})


@login_required
@require_GET
def song_map_points(request: HttpRequest) -> JsonResponse:
    """The visible songs' embeddings by the serving version, projected to 2-D (PCA)."""
    version = model_version_serving()
    points = map_points(user=request.user, version=version) if version is not None else []
    return JsonResponse(
        {
            "version": version.name if version is not None else None,
            "points": [
                {
                    "id": point.id,
                    "title": point.title,
                    "artist": point.artist,
                    "genre": point.genre,
                    "x": point.x,
                    "y": point.y,
                    "url": reverse("web:song_detail", args=[point.id]),
                }
                for point in points
            ],
        }
    )
