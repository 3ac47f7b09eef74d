"""Song radio: an endless queue of songs like a seed, that drifts and listens to skips.

The radio is stateless on the server: the client sends the seed, what it has played or queued
(`history`, in order) and what was skipped in this session, and gets the next songs. Each next
song is the best-scoring candidate near the radio's *position*:

    position = unit(SEED_PULL * seed + (1 - SEED_PULL) * recent)
               - SKIP_PUSH * (mean of this session's skipped songs)

where `recent` is a decaying average of the last songs heard to the end (the newest weighs most).
So the radio moves along with what is played (drifting) while the seed keeps it from wandering
off, and a skip turns it away. A candidate's score is its cosine similarity to the position minus
the user's aversion (``recommender.feedback``: dislikes and skips, also this session's skips).

Rules: never a song in `history` (nor another copy of its file), never a disliked song, never the
same artist as the song before it (an empty artist is nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_serving
from library.models import Song
from library.selectors import User
from recommender.feedback import aversion_for_user
from recommender.neighbours import embeddings_of, nearest_to, recommendable, unit
from recommender.reasons import match_label, reason_from

# How strongly the seed holds the radio: 1 = always around the seed, 0 = follows the last songs.
SEED_PULL = 0.4
# Weight of each older song in `recent`, relative to the one after it.
DRIFT_DECAY = 0.6
# Songs of the history that shape `recent`.
DRIFT_WINDOW = 5
# How far a session's skips push the position away.
SKIP_PUSH = 0.3
# A session skip weighs this much of a dislike in the aversion penalty.
SESSION_SKIP_WEIGHT = 0.5
# Candidates fetched per song asked for (the artist rule and the aversion need room to choose).
CANDIDATES_PER_SONG = 8
MIN_CANDIDATES = 24
MAX_COUNT = 50


@dataclass(frozen=True)
class RadioSong:
    song: Song
    score: float  # what it was chosen by: similarity to the radio's position, less aversion
    similarity: float  # cosine similarity to the song before it
    reason: str  # "after X · both jazz · mellow"
    genre: str

    @property
    def match(self) -> str:
        return match_label(self.score)


def _same_artist(a: Song, b: Song) -> bool:
    return bool(a.artist.strip()) and a.artist.strip().casefold() == b.artist.strip().casefold()


def radio_position(*, seed: np.ndarray, heard: np.ndarray, skipped: np.ndarray) -> np.ndarray:
    """Where the radio is: see the module's docstring. `heard` oldest first, (n, dim)."""
    position = seed
    if len(heard):
        recent = heard[-DRIFT_WINDOW:]
        weights = DRIFT_DECAY ** np.arange(len(recent))[::-1]
        position = SEED_PULL * seed + (1.0 - SEED_PULL) * unit(weights @ recent)
    position = unit(position)
    if len(skipped):
        position = unit(position - SKIP_PUSH * skipped.mean(axis=0))
    return position


def radio_next(
    *,
    seed: Song,
    user: User | None,
    history: Sequence[int] = (),
    skipped: Sequence[int] = (),
    count: int = 1,
    version: ModelVersion | None = None,
) -> list[RadioSong]:
    """The next `count` songs of the radio from `seed`, after `history` (song ids, oldest first).

    `skipped` are the ids of `history` the listener skipped in this session. Fewer than `count`
    songs when the library runs out; none when the seed has no analysis by the serving version.
    Queries: 4 (seed and history, the aversion, the search settings and candidates), plus
    the one of ``model_version_serving`` when `version` is not given.
    """
    version = version or model_version_serving()
    count = min(max(count, 0), MAX_COUNT)
    if version is None or count == 0:
        return []
    skipped_set = set(skipped)
    known_ids = {seed.pk, *history}
    known = {
        row.song_id: row
        for row in recommendable(user=user, version=version).filter(song_id__in=known_ids)
    }
    seed_row = known.get(seed.pk)
    if seed_row is None:
        return []
    played = [known[i] for i in history if i in known]
    heard_rows = [row for row in played if row.song_id not in skipped_set]
    skipped_rows = [row for row in played if row.song_id in skipped_set]
    seed_vector = embeddings_of([seed_row])[0]
    skipped_vectors = embeddings_of(skipped_rows)
    aversion = aversion_for_user(user=user, version=version).adding(
        skipped_vectors, weight=SESSION_SKIP_WEIGHT
    )

    heard = embeddings_of(heard_rows)
    position = radio_position(seed=seed_vector, heard=heard, skipped=skipped_vectors)
    candidates = [
        row
        for row in nearest_to(
            points=position[None, :],
            user=user,
            version=version,
            per_point=max(MIN_CANDIDATES, CANDIDATES_PER_SONG * count),
            exclude_songs=known_ids,
            exclude_files={row.song.sha256 for row in [seed_row, *played]},
        )
        if row.song_id not in aversion.excluded
    ]
    if not candidates:
        return []
    vectors = embeddings_of(candidates)
    penalty = aversion.penalty(vectors)
    available = np.ones(len(candidates), dtype=bool)
    previous = played[-1] if played else seed_row
    previous_vector = embeddings_of([previous])[0]
    picks: list[RadioSong] = []
    while len(picks) < count:
        scores = vectors @ position - penalty
        allowed = available & np.array(
            [not _same_artist(row.song, previous.song) for row in candidates]
        )
        if not allowed.any():
            break
        scores[~allowed] = -np.inf
        best = int(np.argmax(scores))
        row = candidates[best]
        available[best] = False
        picks.append(
            _radio_song(row, previous, float(scores[best]), vectors[best] @ previous_vector)
        )
        # The batch drifts too: the next pick follows this one as if it had been heard.
        heard = np.vstack([heard, vectors[best]]) if len(heard) else vectors[best][None, :]
        position = radio_position(seed=seed_vector, heard=heard, skipped=skipped_vectors)
        previous, previous_vector = row, vectors[best]
    return picks


def _radio_song(row: Analysis, previous: Analysis, score: float, similarity: float) -> RadioSong:
    return RadioSong(
        song=row.song,
        score=score,
        similarity=float(similarity),
        reason=reason_from(seed=previous, item=row, verb="after"),
        genre=row.predicted_genre,
    )
