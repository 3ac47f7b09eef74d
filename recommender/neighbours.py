"""Nearest analyses to arbitrary points of the embedding space, for radio, mixes and paths.

Similar songs and For you search around songs; radio, mixes and paths search around points
between songs (a drifting radio position, a step of a path, several seeds at once): the nearest
rows of every point come back through the HNSW index in one search.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from pgvector.django import CosineDistance

from classifier.models import Analysis, ModelVersion
from library.models import Song
from library.selectors import User, visible_q
from recommender.search import HNSW_EF_SEARCH, hnsw_search


def recommendable(*, user: User | None, version: ModelVersion | int) -> QuerySet[Analysis]:
    """Analyses by `version` (a row or its id) of finished music that `user` may see, with their
    songs.

    Not speech, animal sounds or noise (classifier.nonmusic), nor a scanned song whose file a scan
    found gone (`missing_since`): it cannot be played. ``recommender.search.recommendable_sql``
    is the same condition for the raw searches.
    """
    return (
        Analysis.objects.filter(
            model_version=version, song__status=Song.Status.DONE, is_not_music=False
        )
        .filter(visible_q(user=user, prefix="song__"))
        .filter(song__missing_since__isnull=True)
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
    """The `per_point` nearest visible analyses of each row of `points` (k, dim), each row once,
    nearest to the first point first.

    One search for all points: the points go in as an array and a LATERAL join runs the nearest-
    neighbour query (the ORM's, with every visibility filter) once per point through the HNSW
    index; a second query reads the rows found. Building one ORM query per point and a UNION ALL
    of them cost more in Python than the searches themselves (bench/recommend.py: a 20-step path).
    `exclude_songs` and `exclude_files` (SHA-256) leave songs out in the search, so that the index
    scan goes on past them rather than returning a short list.
    """
    if len(points) == 0:
        return []
    base = recommendable(user=user, version=version)
    if exclude_songs:
        base = base.exclude(song_id__in=list(exclude_songs))
    if exclude_files:
        base = base.exclude(song__sha256__in=list(exclude_files))
    if len(points) == 1:  # one point: the ORM's query alone, rows and songs in one go
        with hnsw_search(ef_search=max(HNSW_EF_SEARCH, per_point)):
            return _one_per_file(
                list(
                    base.select_related("song")
                    .annotate(distance=CosineDistance("embedding", points[0].tolist()))
                    .order_by("distance")[:per_point]
                )
            )
    nearest = (
        base.annotate(distance=CosineDistance("embedding", RawSQL("point.vector", ())))
        .order_by("distance")
        .values("id", "distance")[:per_point]
    )
    inner, params = nearest.query.sql_with_params()
    # `inner` is the ORM's own SQL, every value in it a parameter.
    search = (
        "SELECT found.id FROM unnest(%s::text[]::vector[]) WITH ORDINALITY AS point(vector, n)"  # noqa: S608
        f" CROSS JOIN LATERAL ({inner}) AS found ORDER BY point.n, found.distance"
    )
    vectors = ["[" + ",".join(f"{value:.7g}" for value in point) + "]" for point in points]
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, per_point)), connection.cursor() as cursor:
        cursor.execute(search, [vectors, *params])
        ids = list(dict.fromkeys(row[0] for row in cursor.fetchall()))
    rows = Analysis.objects.filter(id__in=ids).select_related("song").in_bulk()
    return _one_per_file([rows[analysis_id] for analysis_id in ids])


def _one_per_file(rows: list[Analysis]) -> list[Analysis]:
    """The first row of each song file (copies of one file by several owners are one song)."""
    files: set[str] = set()
    unique: list[Analysis] = []
    for row in rows:
        if row.song.sha256 not in files:
            files.add(row.song.sha256)
            unique.append(row)
    return unique
