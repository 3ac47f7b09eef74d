"""Reads for the web pages: the library listing, a song's profile, genres and the map.

Every read takes the user and returns only what `songs_visible_to` lets them see; genre and map
reads take the model version to read (the serving one, ``model_version_serving``) so that a page
never mixes two versions' predictions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import (
    Case,
    Count,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower

from classifier.models import Analysis, ModelVersion
from recommender.models import Genre, Like, Song
from recommender.recommendations import User, songs_visible_to
from recommender.selectors import with_predicted_genre

# Library orderings by the name the page uses; the id breaks ties so pages never overlap.
LIBRARY_SORTS: dict[str, tuple[Any, ...]] = {
    "newest": ("-created_at", "-id"),
    "title": (Lower("title"), "id"),
    "artist": (Lower("artist"), Lower("title"), "id"),
}
TOP_TAGS = 8
# Points on the map at most: a PCA of 5,000 x 128 takes milliseconds and the SVG stays smooth.
MAP_MAX_POINTS = 5000


# --- the library ---------------------------------------------------------------------------------


def song_list_library(
    *,
    user: User,
    version: ModelVersion | None,
    search: str = "",
    genre: str = "",
    label: str = "",
    status: str = "",
    sort: str = "newest",
) -> QuerySet[Song]:
    """The songs `user` may see, each with `predicted_genre` by `version` (None if not analysed).

    `search` keeps songs whose title or artist contains every word of it; `genre` those `version`
    puts in that genre; `label` those with that ground-truth label (dataset songs); `status`
    those in that state. `sort` is a key of LIBRARY_SORTS (unknown: newest first).
    """
    songs = with_predicted_genre(
        songs_visible_to(user=user).select_related("genre"),
        versions=[version] if version is not None else [],
    )
    for word in search.split():
        songs = songs.filter(Q(title__icontains=word) | Q(artist__icontains=word))
    if genre:
        songs = songs.filter(predicted_genre=genre)
    if label:
        songs = songs.filter(genre__name=label)
    if status:
        songs = songs.filter(status=status)
    return songs.order_by(*LIBRARY_SORTS.get(sort, LIBRARY_SORTS["newest"]))


def genre_label_list() -> QuerySet[Genre]:
    """Ground-truth labels that some song carries, for the library's label filter."""
    return Genre.objects.filter(songs__isnull=False).distinct().order_by("name")


def song_liked_ids(*, user: User, songs: Iterable[Song]) -> set[int]:
    """Which of `songs` the user likes, in one query."""
    if not user.is_authenticated:
        return set()
    ids = [song.pk for song in songs]
    return set(
        Like.objects.filter(user_id=user.pk, song_id__in=ids).values_list("song_id", flat=True)
    )


# --- one song ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    name: str
    value: float  # in [0, 1]

    @property
    def text(self) -> str:
        return self.name.replace("-", " ").replace("_", " ")

    @property
    def percent(self) -> float:
        """For bar widths and labels: 0 to 100, one decimal."""
        return round(100.0 * min(max(self.value, 0.0), 1.0), 1)


@dataclass(frozen=True)
class SongProfile:
    """What one model version heard in a song."""

    version: ModelVersion
    predicted_genre: str
    confidence: float
    genres: list[Score]  # every class, most probable first
    tags: list[Score]  # the pretrained backbone's TOP_TAGS highest tags; empty without them
    serving: bool  # by the version recommendations use (else a newer one, re-analysing)
    is_unsure: bool = False  # below the model's confidence threshold: show the two best guesses
    is_not_music: bool = False  # speech, animal sounds or noise

    @property
    def best_two(self) -> list[Score]:
        return self.genres[:2]


def song_profile(*, song: Song, version: ModelVersion | None) -> SongProfile | None:
    """`version`'s analysis of `song`; before it has one, the newest analysis by another version."""
    analyses = Analysis.objects.filter(song=song).select_related("model_version").defer("embedding")
    preferred = version.pk if version is not None else None
    analysis = analyses.order_by(
        Case(When(model_version_id=preferred, then=Value(0)), default=Value(1)), "-created_at"
    ).first()
    if analysis is None:
        return None
    return SongProfile(
        version=analysis.model_version,
        predicted_genre=analysis.predicted_genre,
        confidence=analysis.confidence,
        genres=_ranked(analysis.probabilities),
        tags=_ranked(analysis.tags or {})[:TOP_TAGS],
        serving=analysis.model_version_id == preferred,
        is_unsure=analysis.is_unsure,
        is_not_music=analysis.is_not_music,
    )


def _ranked(scores: dict[str, float]) -> list[Score]:
    ranked = [Score(name=name, value=float(value)) for name, value in scores.items()]
    return sorted(ranked, key=lambda score: (-score.value, score.name))


# --- genres --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenreCount:
    name: str
    count: int  # finished songs the user may see that the model puts in this genre
    is_synthetic: bool  # a procedural demo style

    @property
    def text(self) -> str:
        return self.name.replace("-", " ").replace("_", " ")


def _analyses_visible(*, user: User, version: ModelVersion) -> QuerySet[Analysis]:
    visible = songs_visible_to(user=user).filter(status=Song.Status.DONE)
    return Analysis.objects.filter(model_version=version, song__in=visible)


def genre_list_counts(*, user: User, version: ModelVersion) -> list[GenreCount]:
    """Each of `version`'s genres (its classes, then any other it predicted) with its count."""
    counts = dict(
        _analyses_visible(user=user, version=version)
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
        _analyses_visible(user=user, version=version)
        .filter(predicted_genre=genre)
        .select_related("song")
        .defer("embedding", "tags")
        .order_by("-confidence", "song_id")
    )


# --- the map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    id: int
    title: str
    artist: str
    genre: str
    x: float
    y: float


def pca_2d(embeddings: np.ndarray) -> np.ndarray:
    """Project (n, d) rows on their first two principal components: (n, 2) float64.

    Each component's sign is fixed so that its largest loading is positive, so the same songs
    always give the same picture (an SVD may flip any component). Components that the data does
    not have (fewer than 3 rows) are zeros.
    """
    points = np.zeros((len(embeddings), 2))
    if len(embeddings) < 2:
        return points
    centred = np.asarray(embeddings, dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:2]
    largest = np.argmax(np.abs(components), axis=1)
    components *= np.sign(components[np.arange(len(components)), largest])[:, np.newaxis]
    points[:, : len(components)] = centred @ components.T
    return points


def map_points(*, user: User, version: ModelVersion, limit: int = MAP_MAX_POINTS) -> list[MapPoint]:
    """The newest `limit` finished songs `user` may see, placed by `version`'s embeddings."""
    rows = list(
        _analyses_visible(user=user, version=version)
        .order_by("-song__created_at", "-song_id")
        .values_list("song_id", "song__title", "song__artist", "predicted_genre", "embedding")[
            :limit
        ]
    )
    if not rows:
        return []
    xy = pca_2d(np.stack([np.asarray(row[4], dtype=np.float64) for row in rows]))
    return [
        MapPoint(
            id=song_id,
            title=title,
            artist=artist,
            genre=genre,
            x=round(float(x), 4),
            y=round(float(y), 4),
        )
        for (song_id, title, artist, genre, _), (x, y) in zip(rows, xy, strict=True)
    ]
