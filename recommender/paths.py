"""A path from song A to song B in N steps through the embedding space.

The path's waypoints are evenly spaced on the great circle from A's embedding to B's (spherical
interpolation, `slerp`); each waypoint's nearest songs come back in one query. Then, from A, each
step takes the unused candidate that best fits both its waypoint and the song before it:

    fit = similarity(candidate, waypoint) + PREVIOUS_WEIGHT * similarity(candidate, previous)
          - aversion (the user's dislikes and skips)

so each step stays close to the last while the path moves towards B. A is first, B is last and no
song (or copy of a file) appears twice; a small library may give a shorter path than asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_serving
from library.models import Song
from library.selectors import User
from recommender.feedback import aversion_for_user
from recommender.neighbours import embeddings_of, nearest_to, recommendable

MIN_STEPS = 1
MAX_STEPS = 50
# Weight of closeness to the previous song against closeness to the waypoint.
PREVIOUS_WEIGHT = 0.5
# Nearest songs fetched per waypoint.
CANDIDATES_PER_STEP = 8


@dataclass(frozen=True)
class PathStep:
    song: Song
    similarity: float | None  # cosine similarity to the song before it; None for A
    to_end: float  # cosine similarity to B
    genre: str


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Points at fractions `t` (k,) of the great circle from unit `a` to unit `b`, shape (k, dim).

    Opposite or identical ends have no unique great circle: then a straight line, normalised.
    """
    cosine = float(np.clip(a @ b, -1.0, 1.0))
    theta = np.arccos(cosine)
    if theta < 1e-6 or np.pi - theta < 1e-6:
        points = (1.0 - t)[:, None] * a + t[:, None] * b
    else:
        points = (np.sin((1.0 - t) * theta)[:, None] * a + np.sin(t * theta)[:, None] * b) / np.sin(
            theta
        )
    norms = np.linalg.norm(points, axis=1, keepdims=True)
    return points / np.where(norms > 0, norms, 1.0)


def song_path(
    *,
    start: Song,
    end: Song,
    user: User | None,
    steps: int = 10,
    version: ModelVersion | None = None,
) -> list[PathStep]:
    """Songs from `start` to `end` in `steps` steps (steps + 1 songs), both ends included.

    Empty when either end has no analysis by the serving version or the ends are one song.
    Queries: 5 (ends, the aversion, the search settings, the search, the rows found; three more
    when the ends are so close that the waypoints share their neighbours), plus the one of
    ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    steps = min(max(steps, MIN_STEPS), MAX_STEPS)
    if version is None or start.pk == end.pk:
        return []
    ends = {
        row.song_id: row
        for row in recommendable(user=user, version=version).filter(song_id__in=[start.pk, end.pk])
    }
    if len(ends) < 2:
        return []
    first, last = ends[start.pk], ends[end.pk]
    a, b = embeddings_of([first, last])
    aversion = aversion_for_user(user=user, version=version)
    waypoints = slerp(a, b, np.arange(1, steps) / steps)
    candidates: list[Analysis] = []
    per_point = CANDIDATES_PER_STEP
    while len(waypoints):
        candidates = [
            row
            for row in nearest_to(
                points=waypoints,
                user=user,
                version=version,
                per_point=per_point,
                exclude_songs={start.pk, end.pk},
                exclude_files={first.song.sha256, last.song.sha256},
            )
            if row.song_id not in aversion.excluded
        ]
        # Waypoints close together share their nearest songs: if they found fewer than the path
        # needs, ask once more, each for as many as the path needs.
        if len(candidates) >= len(waypoints) or per_point >= len(waypoints) + 1:
            break
        per_point = len(waypoints) + 1
    vectors = embeddings_of(candidates)
    penalty = aversion.penalty(vectors)
    available = np.ones(len(candidates), dtype=bool)
    path = [
        PathStep(song=first.song, similarity=None, to_end=float(a @ b), genre=first.predicted_genre)
    ]
    previous = a
    for waypoint in waypoints:
        if not available.any():
            break
        fit = vectors @ waypoint + PREVIOUS_WEIGHT * (vectors @ previous) - penalty
        fit[~available] = -np.inf
        best = int(np.argmax(fit))
        available[best] = False
        row = candidates[best]
        path.append(
            PathStep(
                song=row.song,
                similarity=float(vectors[best] @ previous),
                to_end=float(vectors[best] @ b),
                genre=row.predicted_genre,
            )
        )
        previous = vectors[best]
    path.append(
        PathStep(
            song=last.song, similarity=float(b @ previous), to_end=1.0, genre=last.predicted_genre
        )
    )
    return path
