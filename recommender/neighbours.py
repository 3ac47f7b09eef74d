"""Nearest analyses to arbitrary points of the embedding space, for radio, mixes and paths.

Similar songs and For you search around songs; radio, mixes and paths search around points
between songs (a drifting radio position, a step of a path). One query per call: the nearest
rows of every point come back through the HNSW index in one UNION ALL.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from django.db.models import QuerySet
from pgvector.django import CosineDistance

from classifier.models import Analysis, ModelVersion
from library.models import Song
from library.selectors import User, visible_q
from recommender.recommendations import HNSW_EF_SEARCH, hnsw_search


def recommendable(*, user: User | None, version: ModelVersion | int) -> QuerySet[Analysis]:
    """Analyses by `version` of finished songs that `user` may see, with their songs."""
    return (
        Analysis.objects.filter(model_version=version, song__status=Song.Status.DONE)
        .filter(visible_q(user=user, prefix="song__"))
        .select_related("song")
    )


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def embeddings_of(rows: list[Analysis]) -> np.ndarray:
    """Unit embeddings of `rows`, shape (len(rows), dim)."""
    if not rows:
        return np.zeros((0, 0))
    matrix = np.stack([np.asarray(row.embedding, dtype=np.float64) for row in rows])
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def nearest_to(
    *,
    points: np.ndarray,
    user: User | None,
    version: ModelVersion | int,
    per_point: int,
    exclude_songs: Collection[int] = (),
    exclude_files: Collection[str] = (),
) -> list[Analysis]:
    """The `per_point` nearest visible analyses of each row of `points` (k, dim), each row once.

    `exclude_songs` and `exclude_files` (SHA-256) leave songs out in the query, so that the index
    scan goes on past them rather than returning a short list.
    """
    base = recommendable(user=user, version=version)
    if exclude_songs:
        base = base.exclude(song_id__in=list(exclude_songs))
    if exclude_files:
        base = base.exclude(song__sha256__in=list(exclude_files))
    queries = [
        base.annotate(distance=CosineDistance("embedding", point.tolist())).order_by("distance")[
            :per_point
        ]
        for point in points
    ]
    if not queries:
        return []
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, per_point)):
        rows = (
            list(queries[0].union(*queries[1:], all=True)) if len(queries) > 1 else list(queries[0])
        )
    seen: set[int] = set()
    files: set[str] = set()
    unique: list[Analysis] = []
    for row in rows:
        if row.song_id in seen or row.song.sha256 in files:
            continue
        seen.add(row.song_id)
        files.add(row.song.sha256)
        unique.append(row)
    return unique
