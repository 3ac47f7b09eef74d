"""Genres as the library shows them: each of the serving version's genres with its songs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from classifier.models import Analysis, ModelVersion
from library.models import Genre, Song
from library.selectors import User, songs_visible_to


@dataclass(frozen=True)
class GenreCount:
    name: str
    count: int  # finished songs the user may see that the model puts in this genre
    is_synthetic: bool  # a procedural demo style

    @property
    def text(self) -> str:
        return self.name.replace("-", " ").replace("_", " ")


def analyses_visible(*, user: User, version: ModelVersion) -> QuerySet[Analysis]:
    visible = songs_visible_to(user=user).filter(status=Song.Status.DONE)
    return Analysis.objects.filter(model_version=version, song__in=visible)


def genre_list_counts(*, user: User, version: ModelVersion) -> list[GenreCount]:
    """Each of `version`'s genres (its classes, then any other it predicted) with its count."""
    counts = dict(
        analyses_visible(user=user, version=version)
        .order_by()
        .values("predicted_genre")
        .annotate(count=Count("id"))
        .values_list("predicted_genre", "count")
    )
    names = list(version.class_names) + sorted(set(counts) - set(version.class_names))
    synthetic = set(
        Genre.objects.filter(name__in=names, is_synthetic=True).values_list("name", flat=True)
    )
    return [
        GenreCount(name=name, count=counts.get(name, 0), is_synthetic=name in synthetic)
        for name in names
    ]


def analysis_list_in_genre(*, user: User, version: ModelVersion, genre: str) -> QuerySet[Analysis]:
    """`version`'s analyses of visible songs it puts in `genre`, the most confident first."""
    return (
        analyses_visible(user=user, version=version)
        .filter(predicted_genre=genre)
        .select_related("song")
        .defer("embedding", "tags")
        .order_by("-confidence", "song_id")
    )
