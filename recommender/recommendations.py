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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from pgvector.django import CosineDistance

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_serving
from library.models import Dislike, Like, Play, Song
from library.selectors import User, songs_visible_to, visible_q
from recommender.feedback import Aversion, aversion_for_user
from recommender.reasons import match_label, reason_from, shared_traits

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


def _recommendable(*, user: User | None, version: ModelVersion | int) -> QuerySet[Analysis]:
    """Analyses by `version` (a row or its id) of finished music that `user` may see.

    Not speech, animal sounds or noise (classifier.nonmusic), nor a scanned song whose file a scan
    found gone (`missing_since`): it cannot be played.
    """
    return (
        Analysis.objects.filter(
            model_version=version, song__status=Song.Status.DONE, is_not_music=False
        )
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
        # The seed is the song the list is about: the reason says what they share, not its name.
        reason = shared_traits(seed, analysis) or CLOSE_IN_SOUND
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
        # The blend needs distances, probabilities and tags: 40 vectors are not worth parsing.
        .defer("embedding")
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
    """Songs for `user` from what they liked and played, varied; popular ones before either.

    Never a song the user liked, played through, disliked or uploaded, nor one they may not see.
    Queries: 6 (5 at cold start), plus the one of
    ``model_version_serving`` when `version` is not given.
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
        # Embeddings, titles and tags (for the reasons) are read: 200 rows of genre JSON are not.
        .defer("probabilities")
        .order_by("-song__likes__created_at", "-id")[:TASTE_LIKES]
    )
    played = list(
        _recommendable(user=user, version=version)
        .filter(song__plays__user_id=user.pk, song__plays__skipped=False)
        .exclude(song_id__in=[a.song_id for a in liked])
        .annotate(last_played=Max("song__plays__started_at"))
        .select_related("song")
        .order_by("-last_played", "-id")[: max(TASTE_LIKES - len(liked), 0)]
    )
    tasted = liked + played
    if not tasted:
        return _cold_start(user=user, version=version, limit=limit)

    aversion = aversion_for_user(user=user, version=version)
    liked_embeddings = np.stack([_embedding(a) for a in tasted])
    tastes = taste_vectors(liked_embeddings)
    per_taste = max(limit, math.ceil(limit * CANDIDATE_FACTOR / len(tastes)))
    base = (
        _recommendable(user=user, version=version)
        .exclude(song__likes__user_id=user.pk)
        .exclude(song__owner_id=user.pk)
        .exclude(song__sha256__in=[a.song.sha256 for a in tasted])
        .select_related("song")
        .defer("probabilities")
    )
    nearest = [
        base.annotate(distance=CosineDistance("embedding", taste)).order_by("distance")[:per_taste]
        for taste in tastes
    ]
    with hnsw_search(ef_search=max(HNSW_EF_SEARCH, per_taste)):
        rows = list(nearest[0].union(*nearest[1:], all=True))

    rows = [row for row in rows if row.song_id not in aversion.excluded]
    items = _pick_diverse(
        candidates=_unique_songs(rows),
        liked=tasted,
        liked_count=len(liked),
        liked_embeddings=liked_embeddings,
        aversion=aversion,
        limit=limit,
    )
    return ForYou(
        items=items,
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
    liked_count: int,
    liked_embeddings: np.ndarray,
    aversion: Aversion,
    limit: int,
) -> list[Recommendation]:
    """Maximal marginal relevance over `candidates`, at most MAX_GENRE_SHARE of a genre while
    other genres have candidates; each pick names the song it is like (the first `liked_count`
    of `liked` were liked, the others played)."""
    if not candidates:
        return []
    embeddings = np.stack([_embedding(a) for a in candidates])
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
    picks: list[Recommendation] = []
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
        verb = "because you liked" if source < liked_count else "because you played"
        picks.append(
            Recommendation(
                song=analysis.song,
                score=float(mmr[best]),
                similarity=float(to_liked[best, source]),
                reason=reason_from(seed=liked[source], item=analysis, verb=verb),
                genre=analysis.predicted_genre,
            )
        )
    return picks


# Most liked and played: a like and a play through weigh the same.
_POPULARITY = F("like_count") + F("play_count")


def _cold_start(*, user: User | None, version: ModelVersion, limit: int) -> ForYou:
    """The most liked and played songs the user may see, then the newest; two queries."""
    songs = songs_visible_to(user=user).filter(
        status=Song.Status.DONE,
        analyses__model_version=version,
        analyses__is_not_music=False,
        missing_since__isnull=True,
    )
    if user is not None:
        songs = songs.exclude(owner_id=user.pk)
    if user is not None and user.is_authenticated:
        disliked = Dislike.objects.filter(user_id=user.pk).values("song_id")
        songs = songs.exclude(pk__in=disliked)
    likes = Like.objects.filter(song=OuterRef("pk")).order_by().values("song")
    plays = Play.objects.filter(song=OuterRef("pk"), skipped=False).order_by().values("song")
    # One IN over a UNION ALL, not an OR of two INs: the planner can then start from the liked
    # and played songs and reach each through its key, instead of scanning every song.
    liked_or_played = (
        Like.objects.order_by()
        .values("song_id")
        .union(Play.objects.filter(skipped=False).order_by().values("song_id"), all=True)
    )
    popular = list(
        songs.filter(pk__in=liked_or_played)
        .annotate(
            like_count=Coalesce(Subquery(likes.annotate(n=Count("pk")).values("n")), 0),
            play_count=Coalesce(Subquery(plays.annotate(n=Count("pk")).values("n")), 0),
        )
        .order_by(_POPULARITY.desc(), "-like_count", "-created_at", "-id")[:limit]
    )
    recent = list(songs.order_by("-created_at", "-id")[:limit])
    items = [
        Recommendation(
            song=song,
            score=float(song.like_count + song.play_count),  # type: ignore[attr-defined]
            similarity=None,
            reason=_popular_reason(song.like_count, song.play_count),  # type: ignore[attr-defined]
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


def _popular_reason(likes: int, plays: int) -> str:
    parts = []
    if likes:
        parts.append(f"liked by {likes} {'person' if likes == 1 else 'people'}")
    if plays:
        parts.append(f"played {plays} time{'s' if plays != 1 else ''}")
    return "popular: " + ", ".join(parts)
