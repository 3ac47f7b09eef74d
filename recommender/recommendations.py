"""Recommendation selectors: songs similar to a song, and songs "for you", each with its reason.

Similar songs
    score = (1 - w) * cosine_similarity + w * genre_overlap

    cosine_similarity  1 - cosine distance of the two unit embeddings, in [-1, 1];
    genre_overlap      sum over genres g of min(p_a(g), p_b(g)) on the stored probabilities, in
                       [0, 1]: 1 for identical distributions, 0 for disjoint ones;
    w                  ``settings.RECOMMENDER_GENRE_WEIGHT`` (0 = embeddings only, 1 = genre only).

    Candidates are the ``CANDIDATE_FACTOR * limit`` nearest embeddings through the HNSW index, in
    one query filtered by the serving model version and by what the user may see; the blend only
    re-orders them. The score is shown as a match ("87 % match", ``Recommendation.match``), so the
    number a person reads is the one the list is ordered by; the reason says what the two songs
    share ("both jazz · instrumental, mellow", ``recommender.reasons``) and never names the song
    the list is about.

For you
    Taste vectors come from the user's recent likes: each liked song on its own up to
    ``MAX_TASTES``, else that many k-means centroids (``taste_vectors``). The nearest candidates
    of every taste vector come back in one query, and maximal marginal relevance picks
    the list: ``MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * (highest similarity to a song already
    picked)``, where relevance is the similarity to the closest liked song, which the reason names.
    Songs the user played through (not skipped) count as tastes after the likes. The user's
    dislikes are never picked and, with recent skips, push their close neighbours down
    (``recommender.feedback``). No genre takes more than a third of the list while other genres
    have candidates. Without likes or plays (cold start) the list is the most liked and played
    visible songs, then the newest.

Every selector reads the embeddings of one model version only, the serving one
(``classifier.selectors.model_version_serving``), and runs a fixed number of queries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from classifier.models import ModelVersion
from classifier.selectors import model_version_serving
from library.models import Song
from library.selectors import User, song_from_values
from recommender.feedback import Aversion, aversion_for_user
from recommender.reasons import match_label, reason_naming, shared_traits
from recommender.search import (
    HNSW_EF_SEARCH,
    Neighbour,
    cold_start_sql,
    for_you_sql,
    hnsw_search,
    similar_sql,
    taste_tags_sql,
    tastes_sql,
)

# Nearest neighbours fetched per list entry, for the re-ranking to choose from.
CANDIDATE_FACTOR = 4
# Cosine distance under which two embeddings are the same recording (another copy of the file,
# re-encoded or renamed): never recommended as "similar", it is the song itself.
DUPLICATE_DISTANCE = 1e-4
# Relevance against diversity in "for you": 1 = nearest only, 0 = spread only.
MMR_LAMBDA = 0.7
# Taste vectors at most, and the likes they are drawn from (the most recent ones).
MAX_TASTES = 3
TASTE_LIKES = 200

# In "for you", no genre takes more than this share of the list while others have candidates.
MAX_GENRE_SHARE = 1 / 3
# The reason of a pick that shares nothing nameable with the song it is like.
CLOSE_IN_SOUND = "close in sound"

COLD_START_EXPLANATION = (
    "Like or play a few songs to get personal recommendations; meanwhile, the most liked and "
    "played songs in the library."
)
NO_MODEL_EXPLANATION = "Recommendations appear once the library's songs have been analysed."


@dataclass(frozen=True)
class Recommendation:
    song: Song
    score: float  # what the list is ordered by, higher first
    similarity: float | None  # cosine similarity to the song it is recommended from, if any
    reason: str  # for the user: "both jazz · mellow", "because you liked Y · both jazz"
    genre: str = ""  # the serving model's predicted genre of `song`

    @property
    def match(self) -> str:
        """The score as a person reads it, "87 % match"; it is what the list is ordered by.

        Empty for songs not recommended by sound (popular and new songs at cold start).
        """
        return match_label(self.score) if self.similarity is not None else ""


@dataclass(frozen=True)
class ForYou:
    items: list[Recommendation]
    cold_start: bool  # no likes to learn from: popular and recent songs instead
    explanation: str  # one sentence for the top of the list


# --- scoring -------------------------------------------------------------------------------------


def genre_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Shared probability mass of two genre distributions: sum of min(p_a(g), p_b(g))."""
    return float(sum(min(float(a[g]), float(b[g])) for g in a.keys() & b.keys()))


def _genre_weight() -> float:
    weight = float(settings.RECOMMENDER_GENRE_WEIGHT)
    if not 0.0 <= weight <= 1.0:
        raise ImproperlyConfigured(f"RECOMMENDER_GENRE_WEIGHT must be in [0, 1], got {weight}")
    return weight


# --- similar songs --------------------------------------------------------------------------------


def song_list_similar(
    *,
    song: Song,
    user: User | None,
    limit: int = 10,
    genre: str | None = None,
    version: ModelVersion | None = None,
) -> list[Recommendation]:
    """Songs that sound like `song`, best first, that `user` may see.

    `genre` keeps only songs the serving model puts in that genre (its name, e.g. "jazz").
    `version` defaults to the serving model version; pass it when the caller already has it.
    Empty when `song` is not visible to `user` or has no analysis by that version yet.
    Queries: 1, plus the one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    if version is None or limit <= 0:
        return []
    count = limit * CANDIDATE_FACTOR
    statement, params = similar_sql(
        song_id=song.pk,
        user=user,
        version_id=version.pk,
        count=count,
        duplicate_distance=DUPLICATE_DISTANCE,
        genre=genre,
    )
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, count)), connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = [Neighbour.from_row(row) for row in cursor.fetchall()]
    # The seed's row first (the candidates leave out its file), or nothing at all when it is not
    # analysed by this version, not music, or not visible to `user`.
    seeds = [row for row in rows if row.song_id == song.pk]
    if not seeds:
        return []
    seed, candidates = seeds[0], [row for row in rows if row.song_id != song.pk]

    weight = _genre_weight()
    scored = []
    for candidate in candidates:
        similarity = 1.0 - candidate.distance
        overlap = genre_overlap(seed.probabilities, candidate.probabilities)
        scored.append(((1.0 - weight) * similarity + weight * overlap, similarity, candidate))
    scored.sort(key=lambda item: (-item[0], item[2].song_id))
    picked: list[tuple[float, float, Neighbour]] = []
    files: set[str] = set()
    for score, similarity, candidate in scored:  # one of each set of copies of a file
        if candidate.sha256 not in files and len(picked) < limit:
            files.add(candidate.sha256)
            picked.append((score, similarity, candidate))
    return [
        Recommendation(
            song=candidate.song,
            score=score,
            similarity=similarity,
            # The seed is the song the list is about: the reason says what they share, not its
            # name.
            reason=shared_traits(seed, candidate) or CLOSE_IN_SOUND,
            genre=candidate.predicted_genre,
        )
        for score, similarity, candidate in picked
    ]


# --- for you --------------------------------------------------------------------------------------


def taste_vectors(embeddings: np.ndarray, *, max_tastes: int = MAX_TASTES) -> np.ndarray:
    """Up to `max_tastes` unit vectors that sum up liked songs, shape (k, dim) from (n, dim).

    Rows are liked songs, most recent first. Up to `max_tastes` likes, each is its own taste, so
    jazz and metal likes are not averaged into a song nobody likes. Beyond that, spherical k-means
    with k = `max_tastes`, seeded deterministically by farthest-point from the most recent like.
    """
    n = len(embeddings)
    units = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    if n <= max_tastes:
        return units
    chosen = [0]
    for _ in range(max_tastes - 1):
        closest = (units @ units[chosen].T).max(axis=1)
        chosen.append(int(np.argmin(closest)))
    centroids = units[chosen]
    for _ in range(10):
        labels = np.argmax(units @ centroids.T, axis=1)
        sums = np.stack([units[labels == j].sum(axis=0) for j in range(len(centroids))])
        norms = np.linalg.norm(sums, axis=1)
        updated = sums[norms > 0] / norms[norms > 0, None]
        if updated.shape == centroids.shape and np.allclose(updated, centroids):
            break
        centroids = updated
    return centroids


def song_list_for_you(
    *, user: User | None, limit: int = 10, version: ModelVersion | None = None
) -> ForYou:
    """Songs for `user` from what they liked and played, varied; popular ones before either.

    Never a song the user liked, played through, disliked or uploaded, nor one they may not see.
    Queries: 4 (the tastes, the aversion, the search, the tags of the tastes the reasons name; 2
    at cold start), plus the one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    if version is None:
        return ForYou(items=[], cold_start=True, explanation=NO_MODEL_EXPLANATION)
    if user is None or not user.is_authenticated:
        return _cold_start(user=None, version=version, limit=limit)
    statement, params = tastes_sql(user=user, version_id=version.pk, limit=TASTE_LIKES)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = [Neighbour.from_row(row) for row in cursor.fetchall()]
    liked = [row for row in rows if row.distance == 0.0]
    played = [row for row in rows if row.distance != 0.0][: max(TASTE_LIKES - len(liked), 0)]
    tasted = liked + played
    if not tasted:
        return _cold_start(user=user, version=version, limit=limit)

    aversion = aversion_for_user(user=user, version=version)
    liked_embeddings = np.stack([row.embedding for row in tasted])
    tastes = taste_vectors(liked_embeddings)
    per_taste = max(limit, math.ceil(limit * CANDIDATE_FACTOR / len(tastes)))
    statement, params = for_you_sql(
        points=tastes,
        user=user,
        version_id=version.pk,
        per_point=per_taste,
        exclude_files=[row.sha256 for row in tasted],
    )
    # The connection's search breadth, however many tastes share the candidates: the iterative
    # scan fills each taste's LIMIT anyway, and the number of queries stays the same.
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = [Neighbour.from_row(row) for row in cursor.fetchall()]

    found = [row for row in found if row.song_id not in aversion.excluded]
    picks = _pick_diverse(
        candidates=_unique_songs(found),
        liked_embeddings=liked_embeddings,
        aversion=aversion,
        limit=limit,
    )
    # Tags only for the liked songs the reasons name: 200 rows of them cost more than a query.
    sources = {tasted[source].song_id: tasted[source] for _, _, _, source in picks}
    statement, params = taste_tags_sql(version_id=version.pk, song_ids=list(sources))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for song_id, tags in cursor.fetchall():
            sources[song_id].tags_json = tags
    return ForYou(
        items=[
            Recommendation(
                song=pick.song,
                score=score,
                similarity=similarity,
                reason=reason_naming(
                    title=tasted[source].title,
                    seed=tasted[source],
                    item=pick,
                    verb="because you liked" if source < len(liked) else "because you played",
                ),
                genre=pick.predicted_genre,
            )
            for pick, score, similarity, source in picks
        ],
        cold_start=False,
        explanation=_for_you_explanation(liked=len(liked), played=len(played), limit=limit),
    )


def _for_you_explanation(*, liked: int, played: int, limit: int) -> str:
    sources = []
    if liked:
        sources.append(f"{liked} song{'s' if liked != 1 else ''} you liked")
    if played:
        sources.append(f"{played} song{'s' if played != 1 else ''} you played through")
    cap = max(1, math.ceil(limit * MAX_GENRE_SHARE))
    return (
        f"From the {' and the '.join(sources)}: songs close to one of them, each unlike the "
        f"picks above it, and at most {cap} from one genre while others are on offer."
    )


def _unique_songs(rows: Sequence[Neighbour]) -> list[Neighbour]:
    """One row per song and per file: several taste vectors may find the same neighbour."""
    seen_songs: set[int] = set()
    seen_files: set[str] = set()
    unique = []
    for row in sorted(rows, key=lambda row: (row.distance, row.song_id)):
        if row.song_id in seen_songs or row.sha256 in seen_files:
            continue
        seen_songs.add(row.song_id)
        seen_files.add(row.sha256)
        unique.append(row)
    return unique


def _pick_diverse(
    *,
    candidates: list[Neighbour],
    liked_embeddings: np.ndarray,
    aversion: Aversion,
    limit: int,
) -> list[tuple[Neighbour, float, float, int]]:
    """Maximal marginal relevance over `candidates`, at most MAX_GENRE_SHARE of a genre while
    other genres have candidates: each pick with its score, and its similarity to the song of
    `liked` it is closest to, and that song's index."""
    if not candidates:
        return []
    embeddings = np.stack([candidate.embedding for candidate in candidates])
    to_liked = embeddings @ liked_embeddings.T  # (candidates, likes): cosine, all unit vectors
    closest = np.argmax(to_liked, axis=1)
    relevance = to_liked[np.arange(len(candidates)), closest] - aversion.penalty(embeddings)
    # Another copy of a liked recording is not a discovery.
    keep = to_liked.max(axis=1) < 1.0 - DUPLICATE_DISTANCE
    between = embeddings @ embeddings.T
    redundancy = np.zeros(len(candidates))
    available = keep.copy()
    genres = np.array([a.predicted_genre for a in candidates])
    cap = max(1, math.ceil(limit * MAX_GENRE_SHARE))
    picked_per_genre: dict[str, int] = {}
    picks: list[tuple[Neighbour, float, float, int]] = []
    while len(picks) < limit and available.any():
        mmr = MMR_LAMBDA * relevance - (1.0 - MMR_LAMBDA) * redundancy
        mmr[~available] = -np.inf
        full = np.array([picked_per_genre.get(g, 0) >= cap for g in genres])
        if (available & ~full).any():
            mmr[full] = -np.inf
        best = int(np.argmax(mmr))
        available[best] = False
        redundancy = np.maximum(redundancy, between[best])
        analysis = candidates[best]
        picked_per_genre[analysis.predicted_genre] = (
            picked_per_genre.get(analysis.predicted_genre, 0) + 1
        )
        source = int(closest[best])
        picks.append((analysis, float(mmr[best]), float(to_liked[best, source]), source))
    return picks


def _cold_start(*, user: User | None, version: ModelVersion, limit: int) -> ForYou:
    """The most liked and played songs the user may see, then the newest; one query."""
    statement, params = cold_start_sql(user=user, version_id=version.pk, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    items = []
    shown: set[int] = set()
    for likes, plays, *song_values in rows:
        song = song_from_values(song_values)
        if song.pk in shown:
            continue
        shown.add(song.pk)
        if likes is None:  # the newest songs come after the popular ones
            items.append(
                Recommendation(song=song, score=0.0, similarity=None, reason="new in the library")
            )
        else:
            items.append(
                Recommendation(
                    song=song,
                    score=float(likes + plays),
                    similarity=None,
                    reason=_popular_reason(likes, plays),
                )
            )
    return ForYou(items=items[:limit], cold_start=True, explanation=COLD_START_EXPLANATION)


def _popular_reason(likes: int, plays: int) -> str:
    parts = []
    if likes:
        parts.append(f"liked by {likes} {'person' if likes == 1 else 'people'}")
    if plays:
        parts.append(f"played {plays} time{'s' if plays != 1 else ''}")
    return "popular: " + ", ".join(parts)
