"""Mixes: songs like several seeds ("more like these"), away from others ("less like this").

Candidates are the nearest songs to each seed (one query). A candidate's score is its cosine
similarity to its closest seed, less the user's aversion (``recommender.feedback``) with the
"less like this" songs added at full weight. The list takes turns between the seeds, each turn
the best remaining candidate of that seed, so that every seed is heard; each pick names its seed.
No seed, no "less like this" song and no disliked song is ever picked, and one artist never
plays twice in a row when another candidate is left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.models import ModelVersion
from classifier.selectors import model_version_serving
from library.models import Song
from library.selectors import User
from recommender.feedback import aversion_for_user
from recommender.neighbours import embeddings_of, nearest_to, recommendable
from recommender.radio import _same_artist
from recommender.reasons import match_label, reason_from

MAX_SEEDS = 10
MAX_LIMIT = 100
# Candidates fetched per seed, as a multiple of the picks each seed gets.
CANDIDATE_FACTOR = 4


@dataclass(frozen=True)
class MixSong:
    song: Song
    seed: Song  # the seed it came from
    score: float  # similarity to its seed, less aversion: the order within a seed's turn
    similarity: float  # cosine similarity to its seed
    reason: str  # "like X · both jazz · mellow"
    genre: str

    @property
    def match(self) -> str:
        return match_label(self.score)


def mix_create(
    *,
    seeds: Sequence[Song],
    user: User | None,
    avoid: Sequence[Song] = (),
    limit: int = 20,
    version: ModelVersion | None = None,
) -> list[MixSong]:
    """A mix of `limit` songs from `seeds`, steering clear of `avoid`.

    Seeds without an analysis by the serving version are left out (none left: an empty mix).
    Queries: 5 (seeds, the aversion, the search settings, the search, the rows found), plus the
    one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    limit = min(max(limit, 0), MAX_LIMIT)
    if version is None or limit == 0 or not seeds:
        return []
    seed_ids = [song.pk for song in seeds[:MAX_SEEDS]]
    avoid_ids = [song.pk for song in avoid[:MAX_SEEDS]]
    rows = {
        row.song_id: row
        for row in recommendable(user=user, version=version).filter(
            song_id__in=seed_ids + avoid_ids
        )
    }
    seed_rows = [rows[i] for i in dict.fromkeys(seed_ids) if i in rows]
    if not seed_rows:
        return []
    avoid_rows = [rows[i] for i in avoid_ids if i in rows]
    seed_vectors = embeddings_of(seed_rows)
    aversion = aversion_for_user(user=user, version=version).adding(
        embeddings_of(avoid_rows), weight=1.0
    )
    per_seed = max(10, math.ceil(limit / len(seed_rows)) * CANDIDATE_FACTOR)
    candidates = [
        row
        for row in nearest_to(
            points=seed_vectors,
            user=user,
            version=version,
            per_point=per_seed,
            exclude_songs=set(seed_ids) | set(avoid_ids),
            exclude_files={row.song.sha256 for row in rows.values()},
        )
        if row.song_id not in aversion.excluded
    ]
    if not candidates:
        return []
    vectors = embeddings_of(candidates)
    to_seeds = vectors @ seed_vectors.T
    own_seed = np.argmax(to_seeds, axis=1)
    similarity = to_seeds[np.arange(len(candidates)), own_seed]
    scores = similarity - aversion.penalty(vectors)
    available = np.ones(len(candidates), dtype=bool)
    picks: list[MixSong] = []
    turn = 0
    previous: Song | None = None
    while len(picks) < limit and available.any():
        seed_index = turn % len(seed_rows)
        turn += 1
        mine = available & (own_seed == seed_index)
        if not mine.any():  # this seed has nothing left: the next one's turn
            continue
        order = np.argsort(-np.where(mine, scores, -np.inf), kind="stable")
        choice = next(
            (
                int(i)
                for i in order
                if mine[i] and (previous is None or not _same_artist(candidates[i].song, previous))
            ),
            int(order[0]),
        )
        available[choice] = False
        row = candidates[choice]
        seed = seed_rows[int(own_seed[choice])]
        picks.append(
            MixSong(
                song=row.song,
                seed=seed.song,
                score=float(scores[choice]),
                similarity=float(similarity[choice]),
                reason=reason_from(seed=seed, item=row),
                genre=row.predicted_genre,
            )
        )
        previous = row.song
    return picks
