"""Recommendation selectors: songs similar to a song, and songs "for you", each with its reason.

Similar songs
    score = (1 - w) * cosine_similarity + w * genre_overlap

    cosine_similarity  1 - cosine distance of the two unit embeddings, in [-1, 1];
    genre_overlap      sum over genres g of min(p_a(g), p_b(g)) on the stored probabilities, in
                       [0, 1]: 1 for identical distributions, 0 for disjoint ones;
    w                  ``settings.RECOMMENDER_GENRE_WEIGHT`` (0 = embeddings only, 1 = genre only).

    Candidates are the ``CANDIDATE_FACTOR * limit`` nearest embeddings through the HNSW index, in
    one query filtered by the serving model version and by what the user may see; the blend only
    re-orders them. The reason quotes the cosine similarity: "similar to X (0.91), both jazz".

For you
    Taste vectors come from the user's recent likes: each liked song on its own up to
    ``MAX_TASTES``, else that many k-means centroids (``taste_vectors``). The nearest candidates
    of every taste vector come back in one query, and maximal marginal relevance picks
    the list: ``MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * (highest similarity to a song already
    picked)``, where relevance is the similarity to the closest liked song, which the reason names.
    Without likes (cold start) the list is the most liked visible songs, then the newest.

Every selector reads the embeddings of one model version only, the serving one
(``classifier.selectors.model_version_serving``), and runs a fixed number of queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from pgvector.django import CosineDistance

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_serving
from library.models import Song
from library.selectors import User, songs_visible_to, visible_q

# Nearest neighbours fetched per list entry, for the re-ranking to choose from.
CANDIDATE_FACTOR = 4
# HNSW search breadth, raised to the candidate count when that is larger (40 for 10 songs). With
# the index built at ef_construction=128, bench/recommend.py measures recall@10 0.99 at 1,000,000
# clustered songs already at 40, and 100 or 200 buy no recall for up to 35 % more time; filtered
# rows do not shrink the list because the scan is iterative (see hnsw_search).
HNSW_EF_SEARCH = 40
# Cosine distance under which two embeddings are the same recording (another copy of the file,
# re-encoded or renamed): never recommended as "similar", it is the song itself.
DUPLICATE_DISTANCE = 1e-4
# Relevance against diversity in "for you": 1 = nearest only, 0 = spread only.
MMR_LAMBDA = 0.7
# Taste vectors at most, and the likes they are drawn from (the most recent ones).
MAX_TASTES = 3
TASTE_LIKES = 200

COLD_START_EXPLANATION = (
    "Like a few songs to get personal recommendations; meanwhile, popular songs in the library."
)
NO_MODEL_EXPLANATION = "Recommendations appear once the library's songs have been analysed."


@dataclass(frozen=True)
class Recommendation:
    song: Song
    score: float  # what the list is ordered by, higher first
    similarity: float | None  # cosine similarity to the song it is recommended from, if any
    reason: str  # for the user: "similar to X (0.91), both jazz", "because you liked Y"
    genre: str = ""  # the serving model's predicted genre of `song`


@dataclass(frozen=True)
class ForYou:
    items: list[Recommendation]
    cold_start: bool  # no likes to learn from: popular and recent songs instead
    explanation: str  # one sentence for the top of the list


def _recommendable(*, user: User | None, version: ModelVersion | int) -> QuerySet[Analysis]:
    """Analyses by `version` (a row or its id) of finished songs that `user` may see.

    Not a scanned song whose file a scan found gone (`missing_since`): it cannot be played.
    """
    return (
        Analysis.objects.filter(model_version=version, song__status=Song.Status.DONE)
        .filter(visible_q(user=user, prefix="song__"))
        .filter(song__missing_since__isnull=True)
    )


# --- scoring -------------------------------------------------------------------------------------


def genre_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Shared probability mass of two genre distributions: sum of min(p_a(g), p_b(g))."""
    return float(sum(min(float(a[g]), float(b[g])) for g in a.keys() & b.keys()))


def _genre_weight() -> float:
    weight = float(settings.RECOMMENDER_GENRE_WEIGHT)
    if not 0.0 <= weight <= 1.0:
        raise ImproperlyConfigured(f"RECOMMENDER_GENRE_WEIGHT must be in [0, 1], got {weight}")
    return weight


def _genre_text(name: str) -> str:
    return name.replace("-", " ").replace("_", " ")


@contextmanager
def hnsw_search(*, ef_search: int) -> Iterator[None]:
    """A transaction whose HNSW scans search `ef_search` wide and never starve on a filter.

    The candidate query filters by model version, status and visibility. A plain HNSW scan
    returns its ef_search nearest rows and only then applies the filter, so a filter that drops
    most of them (a fresh model version during re-analysis, a genre) leaves the list short.
    pgvector 0.8's iterative scan keeps walking the graph until the LIMIT is met (bounded by
    hnsw.max_scan_tuples). We use it rather than one partial index per model version because
    versions are rows, not code: a partial index would need a migration per trained model.
    `relaxed_order` may return rows slightly out of distance order; every caller re-ranks the
    candidates in Python, so strict order would cost time for nothing.

    SET LOCAL lasts until the end of the transaction; inside a caller's transaction it also
    applies to the caller's later vector scans, which is harmless. No savepoint, so the number of
    queries is the same inside and outside a transaction.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true)",
            [str(ef_search)],
        )
        yield


def _embedding(analysis: Analysis) -> np.ndarray:
    return np.asarray(analysis.embedding, dtype=np.float64)


# --- similar songs -------------------------------------------------------------------------------


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
    Queries: 3, plus the one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    if version is None or limit <= 0:
        return []
    seed = _recommendable(user=user, version=version).filter(song=song).first()
    if seed is None:
        return []
    seed.song = song  # the caller's row: no query to read its SHA-256
    count = limit * CANDIDATE_FACTOR
    candidates = similar_candidates(seed=seed, user=user, genre=genre)
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, count)):
        rows = list(candidates[:count])

    weight = _genre_weight()
    ranked: list[Recommendation] = []
    for analysis in rows:
        similarity = 1.0 - float(analysis.distance)  # type: ignore[attr-defined]
        overlap = genre_overlap(seed.probabilities, analysis.probabilities)
        reason = f"similar to {song.title} ({similarity:.2f})"
        if analysis.predicted_genre == seed.predicted_genre:
            reason += f", both {_genre_text(seed.predicted_genre)}"
        ranked.append(
            Recommendation(
                song=analysis.song,
                score=(1.0 - weight) * similarity + weight * overlap,
                similarity=similarity,
                reason=reason,
                genre=analysis.predicted_genre,
            )
        )
    ranked.sort(key=lambda item: (-item.score, item.song.pk))
    return _unique_files(ranked)[:limit]


def similar_candidates(
    *, seed: Analysis, user: User | None, genre: str | None = None
) -> QuerySet[Analysis]:
    """Analyses by `seed`'s model version nearest to it first, annotated with `distance`.

    Leaves out the seed's song, other copies of its file (same SHA-256) or of its recording (an
    embedding at distance ~0), and what `user` may not see. Run it sliced, inside
    ``hnsw_search``, to go through the HNSW index; bench/recommend.py also runs it as an exact
    scan to measure the index's recall.
    """
    candidates = (
        _recommendable(user=user, version=seed.model_version_id)
        .exclude(song__sha256=seed.song.sha256)
        .annotate(distance=CosineDistance("embedding", seed.embedding))
        .filter(distance__gt=DUPLICATE_DISTANCE)
        .select_related("song")
        # The blend needs only distances and probabilities: 40 vectors are not worth parsing.
        .defer("embedding", "tags")
    )
    if genre:
        candidates = candidates.filter(predicted_genre=genre)
    return candidates.order_by("distance")


def _unique_files(items: list[Recommendation]) -> list[Recommendation]:
    """The first of each set of copies of one file (same SHA-256, different owners)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.song.sha256 not in seen:
            seen.add(item.song.sha256)
            unique.append(item)
    return unique


# --- for you -------------------------------------------------------------------------------------


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
    """Songs for `user` from what they liked, varied; popular then recent ones without likes.

    Never a song the user liked or uploaded, nor one they may not see.
    Queries: 3, plus the one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    if version is None:
        return ForYou(items=[], cold_start=True, explanation=NO_MODEL_EXPLANATION)
    if user is None or not user.is_authenticated:
        return _cold_start(user=None, version=version, limit=limit)
    liked = list(
        _recommendable(user=user, version=version)
        .filter(song__likes__user_id=user.pk)
        .select_related("song")
        # Only embeddings and titles are read: 200 rows of tag and genre JSON are not worth it.
        .defer("tags", "probabilities")
        .order_by("-song__likes__created_at", "-id")[:TASTE_LIKES]
    )
    if not liked:
        return _cold_start(user=user, version=version, limit=limit)

    liked_embeddings = np.stack([_embedding(a) for a in liked])
    tastes = taste_vectors(liked_embeddings)
    per_taste = max(limit, math.ceil(limit * CANDIDATE_FACTOR / len(tastes)))
    base = (
        _recommendable(user=user, version=version)
        .exclude(song__likes__user_id=user.pk)
        .exclude(song__owner_id=user.pk)
        .exclude(song__sha256__in=[a.song.sha256 for a in liked])
        .select_related("song")
        .defer("tags", "probabilities")
    )
    nearest = [
        base.annotate(distance=CosineDistance("embedding", taste)).order_by("distance")[:per_taste]
        for taste in tastes
    ]
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, per_taste)):
        rows = list(nearest[0].union(*nearest[1:], all=True))

    items = _pick_diverse(
        candidates=_unique_songs(rows), liked=liked, liked_embeddings=liked_embeddings, limit=limit
    )
    count = len(liked)
    songs = f"{count} song{'s' if count != 1 else ''} you liked"
    if count == TASTE_LIKES:
        songs += " most recently"
    return ForYou(
        items=items,
        cold_start=False,
        explanation=f"From the {songs}, varied so that no two picks sound alike.",
    )


def _unique_songs(rows: Sequence[Analysis]) -> list[Analysis]:
    """One row per song and per file: several taste vectors may find the same neighbour."""
    seen_songs: set[int] = set()
    seen_files: set[str] = set()
    unique = []
    for analysis in sorted(rows, key=lambda a: (float(a.distance), a.song_id)):  # type: ignore[attr-defined]
        if analysis.song_id in seen_songs or analysis.song.sha256 in seen_files:
            continue
        seen_songs.add(analysis.song_id)
        seen_files.add(analysis.song.sha256)
        unique.append(analysis)
    return unique


def _pick_diverse(
    *,
    candidates: list[Analysis],
    liked: list[Analysis],
    liked_embeddings: np.ndarray,
    limit: int,
) -> list[Recommendation]:
    """Maximal marginal relevance over `candidates`; each pick names its closest liked song."""
    if not candidates:
        return []
    embeddings = np.stack([_embedding(a) for a in candidates])
    to_liked = embeddings @ liked_embeddings.T  # (candidates, likes): cosine, all unit vectors
    closest = np.argmax(to_liked, axis=1)
    relevance = to_liked[np.arange(len(candidates)), closest]
    # Another copy of a liked recording is not a discovery.
    keep = relevance < 1.0 - DUPLICATE_DISTANCE
    between = embeddings @ embeddings.T
    redundancy = np.zeros(len(candidates))
    available = keep.copy()
    picks: list[Recommendation] = []
    while len(picks) < limit and available.any():
        mmr = MMR_LAMBDA * relevance - (1.0 - MMR_LAMBDA) * redundancy
        mmr[~available] = -np.inf
        best = int(np.argmax(mmr))
        available[best] = False
        redundancy = np.maximum(redundancy, between[best])
        analysis = candidates[best]
        picks.append(
            Recommendation(
                song=analysis.song,
                score=float(mmr[best]),
                similarity=float(relevance[best]),
                reason=f"because you liked {liked[int(closest[best])].song.title}",
                genre=analysis.predicted_genre,
            )
        )
    return picks


def _cold_start(*, user: User | None, version: ModelVersion, limit: int) -> ForYou:
    """The most liked songs the user may see, then the newest; two queries."""
    songs = songs_visible_to(user=user).filter(
        status=Song.Status.DONE, analyses__model_version=version, missing_since__isnull=True
    )
    if user is not None:
        songs = songs.exclude(owner_id=user.pk)
    popular = list(
        songs.filter(likes__isnull=False)
        .annotate(like_count=Count("likes"))
        .order_by("-like_count", "-created_at", "-id")[:limit]
    )
    recent = list(songs.order_by("-created_at", "-id")[:limit])
    items = [
        Recommendation(
            song=song,
            score=float(song.like_count),  # type: ignore[attr-defined]
            similarity=None,
            reason=f"popular: liked by {song.like_count}"  # type: ignore[attr-defined]
            f" {'person' if song.like_count == 1 else 'people'}",  # type: ignore[attr-defined]
        )
        for song in popular
    ]
    shown = {song.pk for song in popular}
    items += [
        Recommendation(song=song, score=0.0, similarity=None, reason="new in the library")
        for song in recent
        if song.pk not in shown
    ]
    return ForYou(items=items[:limit], cold_start=True, explanation=COLD_START_EXPLANATION)
