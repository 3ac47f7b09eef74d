"""What a user does not want to hear: "not for me" dislikes and, softly, early skips.

A disliked song is never recommended to its user again, and songs that sound close to it are
pushed down: their score loses

    DISLIKE_PENALTY * weight * clip((cosine_similarity - NEIGHBOUR_SIMILARITY)
                                    / (1 - NEIGHBOUR_SIMILARITY), 0, 1)

for the closest disliked (weight 1) or recently skipped (weight SKIP_WEIGHT) song. For you, radio
and mixes all subtract this penalty, so one "not for me" steers all three; undoing the dislike
(deleting the row) undoes the effect at the next request, as nothing is cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from classifier.models import ModelVersion
from library.selectors import User
from library.selectors_listening import RECENT_SKIPS
from recommender.search import ANALYSES, DISLIKES, PLAYS, vector_from_bytes

# Cosine similarity from which a song counts as a close neighbour of a disliked one.
NEIGHBOUR_SIMILARITY = 0.75
# The most a dislike takes off a neighbour's score (scores are similarities, in [0, 1]).
DISLIKE_PENALTY = 0.6
# A skip before 30 s weighs this much of a dislike: a hint, not a verdict.
SKIP_WEIGHT = 0.3


@dataclass(frozen=True)
class Aversion:
    """Songs a user turned away from, and how strongly, by one model version's embeddings."""

    excluded: frozenset[int] = frozenset()  # disliked song ids: never recommended
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (m, dim), unit rows
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (m,) in (0, 1]

    def penalty(self, embeddings: np.ndarray) -> np.ndarray:
        """What to subtract from each candidate's score, shape (n,) from (n, dim)."""
        if len(self.weights) == 0 or len(embeddings) == 0:
            return np.zeros(len(embeddings))
        similarity = embeddings @ self.vectors.T
        closeness = np.clip(
            (similarity - NEIGHBOUR_SIMILARITY) / (1.0 - NEIGHBOUR_SIMILARITY), 0.0, 1.0
        )
        return DISLIKE_PENALTY * (closeness * self.weights).max(axis=1)

    def adding(self, vectors: np.ndarray, *, weight: float) -> Aversion:
        """This aversion plus `vectors` (m, dim) at `weight`: a session's skips, a mix's "less"."""
        if len(vectors) == 0:
            return self
        stacked = vectors if len(self.weights) == 0 else np.vstack([self.vectors, vectors])
        weights = np.concatenate([self.weights, np.full(len(vectors), weight)])
        return Aversion(excluded=self.excluded, vectors=stacked, weights=weights)


def aversion_for_user(*, user: User | None, version: ModelVersion | int) -> Aversion:
    """The user's dislikes and recent skips, as embeddings by `version`. One query (none when
    anonymous).

    The song ids come from one IN (… UNION ALL …) subquery, so that PostgreSQL reads the
    analyses through their (song, version) index; two IN subqueries joined by OR would make it
    scan every analysis of the version. Raw SQL with vectors as bytes, as the searches it steers
    (recommender.search): For you runs it on every home page.
    """
    if user is None or not user.is_authenticated:
        return Aversion()
    version_id = version if isinstance(version, int) else version.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.song_id, vector_send(a.embedding),"  # noqa: S608 - names from the models
            f" EXISTS (SELECT FROM {DISLIKES} d WHERE d.user_id = %s AND d.song_id = a.song_id)"
            f" FROM {ANALYSES} a WHERE a.model_version_id = %s AND a.song_id IN"
            f" (SELECT song_id FROM {DISLIKES} WHERE user_id = %s UNION ALL"
            f" (SELECT song_id FROM {PLAYS} WHERE user_id = %s AND skipped"
            " ORDER BY started_at DESC LIMIT %s))",
            [user.pk, version_id, user.pk, user.pk, RECENT_SKIPS],
        )
        rows = cursor.fetchall()
    if not rows:
        return Aversion()
    vectors = np.stack([vector_from_bytes(embedding) for _, embedding, _ in rows])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Aversion(
        excluded=frozenset(song_id for song_id, _, disliked in rows if disliked),
        vectors=vectors,
        weights=np.array([1.0 if disliked else SKIP_WEIGHT for _, _, disliked in rows]),
    )
