"""The map: the library's embeddings projected to two dimensions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.models import ModelVersion
from library.selectors import User
from recommender.genres import analyses_visible

# Points on the map at most: a PCA of 5,000 x 128 takes milliseconds and the SVG stays smooth.
MAP_MAX_POINTS = 5000


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
        analyses_visible(user=user, version=version)
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
