"""The vector searches behind the lists people open most: SQL, HNSW settings and the rows found.

Similar songs, For you and cold start answer on every song page, home page and Subsonic client,
so each runs its search as one SQL statement that reads only what the ranking needs, vectors as
bytes rather than text. Built through the ORM, the same searches spent four to five times as long
in Python (query building, two model instances per candidate, parsing vectors from text) as in
the database: bench/recommend.py at 100,000 songs, similar songs 11 ms of Python around 4 ms of
SQL. The selectors read whole songs afterwards only for the few they show.

``recommendable_sql`` is ``recommender.neighbours.recommendable`` (the ORM's, for radio, mixes
and paths) as SQL; ``library.selectors.visible_sql`` is its visibility part.
tests/test_recommend_search.py keeps the two definitions of each in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from classifier.models import Analysis
from library.models import Dislike, Like, Play, Song
from library.selectors import User, song_columns_sql, song_from_values, visible_sql

# HNSW search breadth, raised to the candidate count when that is larger (40 for 10 songs). With
# the index built at ef_construction=128, bench/recommend.py measures recall@10 0.99 at 1,000,000
# clustered songs already at 40, and 100 or 200 buy no recall for up to 35 % more time; filtered
# rows do not shrink the list because the scan is iterative (see hnsw_search).
HNSW_EF_SEARCH = 40

ANALYSES = Analysis._meta.db_table
SONGS = Song._meta.db_table
LIKES = Like._meta.db_table
PLAYS = Play._meta.db_table
DISLIKES = Dislike._meta.db_table

# What a search row carries, in this order (see Neighbour.from_row), then maybe the whole song.
_COLUMNS = (
    "a.song_id, {distance}, a.predicted_genre, s.sha256, {probabilities}, {tags},"
    " {embedding}, s.title"
)
_FIELDS = 8

# --- HNSW settings -------------------------------------------------------------------------------


@receiver(connection_created, dispatch_uid="recommender.search.hnsw_session_settings")
def hnsw_session_settings(sender: Any, **kwargs: Any) -> None:
    """Every new database connection searches HNSW_EF_SEARCH wide, iteratively (hnsw_search).

    Once per connection rather than per search: SET LOCAL needs a transaction, three more round
    trips around every search. A search that needs a wider one still sets it (hnsw_search).
    """
    opened = kwargs["connection"]  # the new one, not necessarily the default database's
    if opened.vendor != "postgresql":
        return
    with opened.cursor() as cursor:
        _set_search(cursor, ef_search=HNSW_EF_SEARCH, local=False)


def _set_search(cursor: Any, *, ef_search: int, local: bool) -> None:
    """The HNSW breadth and iterative scan, for the session or (`local`) the transaction."""
    cursor.execute(
        "SELECT set_config('hnsw.ef_search', %s, %s),"
        " set_config('hnsw.iterative_scan', 'relaxed_order', %s)",
        [str(ef_search), local, local],
    )


@contextmanager
def hnsw_search(*, ef_search: int) -> Iterator[None]:
    """HNSW scans inside the block search `ef_search` wide and never starve on a filter.

    The candidate queries filter by model version, status and visibility. A plain HNSW scan
    returns its ef_search nearest rows and only then applies the filter, so a filter that drops
    most of them (a fresh model version during re-analysis, a genre) leaves the list short.
    pgvector 0.8's iterative scan keeps walking the graph until the LIMIT is met (bounded by
    hnsw.max_scan_tuples). We use it rather than one partial index per model version because
    versions are rows, not code: a partial index would need a migration per trained model.
    `relaxed_order` may return rows slightly out of distance order; every caller re-ranks the
    candidates in Python, so strict order would cost time for nothing.

    Every connection starts with these settings at HNSW_EF_SEARCH (hnsw_session_settings): then
    the block costs nothing. Another breadth is SET LOCAL in a transaction, which lasts until the
    transaction ends; inside a caller's transaction it also applies to the caller's later vector
    scans, which is harmless. No savepoint, so the number of queries is the same inside and
    outside a transaction.
    """
    if ef_search == HNSW_EF_SEARCH:
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _set_search(cursor, ef_search=ef_search, local=True)
        yield


# --- conditions ----------------------------------------------------------------------------------


def recommendable_sql(*, user: User | None, version_id: int) -> tuple[str, list[Any]]:
    """Analyses `a` by the version, of finished music that `user` may see, with their songs `s`.

    The same rows as ``recommender.neighbours.recommendable``: not speech, animal sounds or
    noise, nor a scanned song whose file is gone.
    """
    visible, params = visible_sql(user=user, alias="s")
    return (
        "a.model_version_id = %s AND NOT a.is_not_music AND s.status = %s"
        f" AND s.missing_since IS NULL AND {visible}",
        [version_id, Song.Status.DONE.value, *params],
    )


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(value):.7g}" for value in vector) + "]"


def vector_from_bytes(data: bytes | memoryview) -> np.ndarray:
    """A vector as pgvector's ``vector_send`` writes it: dim and unused (int16 each), then big-
    endian float32s."""
    return np.frombuffer(data, dtype=">f4", offset=4).astype(np.float64)


# --- rows ----------------------------------------------------------------------------------------


@dataclass
class Neighbour:
    """A song found by a search: what ranking and reasons read, and maybe the song's row.

    `tags`, `probabilities` and the song are built when first read: a list ranks 40 candidates
    and shows 10.
    """

    song_id: int
    distance: float
    predicted_genre: str
    sha256: str
    probabilities_json: str | None
    tags_json: str | None
    vector: bytes | None
    title: str
    song_values: Sequence[Any] = ()

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Neighbour:
        song_id, distance, genre, sha256, probabilities, tags, vector, title = row[:_FIELDS]
        return cls(
            song_id=song_id,
            distance=distance,
            predicted_genre=genre,
            sha256=sha256,
            probabilities_json=probabilities,
            tags_json=tags,
            vector=vector,
            title=title,
            song_values=row[_FIELDS:],
        )

    @cached_property
    def song(self) -> Song:
        if not self.song_values:
            raise ValueError("this search did not read songs")
        return song_from_values(self.song_values)

    @cached_property
    def probabilities(self) -> dict[str, float]:
        return json.loads(self.probabilities_json) if self.probabilities_json else {}

    @cached_property
    def tags(self) -> dict[str, float]:
        return json.loads(self.tags_json) if self.tags_json else {}

    @cached_property
    def embedding(self) -> np.ndarray:
        if self.vector is None:
            raise ValueError("this search did not read embeddings")
        return vector_from_bytes(self.vector)


def columns(
    *,
    distance: str,
    probabilities: bool = False,
    embedding: bool = False,
    songs: bool = False,
    tags: bool = True,
) -> str:
    return _COLUMNS.format(
        distance=distance,
        tags="a.tags::text" if tags else "NULL::text",
        probabilities="a.probabilities::text" if probabilities else "NULL::text",
        embedding="vector_send(a.embedding)" if embedding else "NULL::bytea",
    ) + (", " + song_columns_sql(alias="s") if songs else "")


# --- statements ----------------------------------------------------------------------------------


def similar_sql(
    *,
    song_id: int,
    user: User | None,
    version_id: int,
    count: int,
    duplicate_distance: float,
    genre: str | None = None,
) -> tuple[str, list[Any]]:
    """The seed's row, then the `count` nearest recommendable analyses to it.

    One statement: the seed is read in a CTE, and the candidates' HNSW scan orders by the
    distance to its embedding. Nothing comes back when the seed is not recommendable to `user`
    (the scan does not even start). Left out: the seed's song, other copies of its file (same
    SHA-256) or of its recording (an embedding at distance under `duplicate_distance`).
    """
    recommendable, params = recommendable_sql(user=user, version_id=version_id)
    seed_distance = "a.embedding <=> (SELECT embedding FROM seed)"
    genre_filter = " AND a.predicted_genre = %s" if genre else ""
    statement = (
        "WITH seed AS MATERIALIZED (SELECT a.song_id, a.embedding, a.predicted_genre, s.sha256,"  # noqa: S608
        " a.probabilities::text AS probabilities, a.tags::text AS tags, s.title"
        f" FROM {ANALYSES} a JOIN {SONGS} s ON s.id = a.song_id"
        f" WHERE a.song_id = %s AND {recommendable} LIMIT 1)"
        " (SELECT song_id, 0::float8, predicted_genre, sha256, probabilities, tags,"
        f" NULL::bytea, title, {', '.join(['NULL'] * len(Song._meta.concrete_fields))} FROM seed)"
        f" UNION ALL (SELECT {columns(distance=seed_distance, probabilities=True, songs=True)}"
        f" FROM {ANALYSES} a JOIN {SONGS} s ON s.id = a.song_id"
        f" WHERE EXISTS (SELECT FROM seed) AND {recommendable}"
        f" AND s.sha256 <> (SELECT sha256 FROM seed) AND {seed_distance} > %s{genre_filter}"
        f" ORDER BY {seed_distance} LIMIT %s)"
    )
    return statement, [
        song_id,
        *params,
        *params,
        duplicate_distance,
        *([genre] if genre else []),
        count,
    ]


def tastes_sql(*, user: User, version_id: int, limit: int) -> tuple[str, list[Any]]:
    """The `limit` songs `user` liked last, then the `limit` they played through last and did
    not like, recommendable, with embeddings but no tags (``taste_tags_sql`` reads those of the
    few a list names); `distance` is 0 for a like, 1 for a play."""
    recommendable, params = recommendable_sql(user=user, version_id=version_id)
    statement = (
        f"(SELECT {columns(distance='0::float8', embedding=True, tags=False)}"  # noqa: S608
        f" FROM {LIKES} l JOIN {ANALYSES} a ON a.song_id = l.song_id"
        f" JOIN {SONGS} s ON s.id = l.song_id"
        f" WHERE l.user_id = %s AND {recommendable}"
        " ORDER BY l.created_at DESC, a.id DESC LIMIT %s)"
        f" UNION ALL (SELECT {columns(distance='1::float8', embedding=True, tags=False)}"
        " FROM (SELECT song_id, max(started_at) AS last_played"
        f" FROM {PLAYS} WHERE user_id = %s AND NOT skipped GROUP BY song_id) p"
        f" JOIN {ANALYSES} a ON a.song_id = p.song_id JOIN {SONGS} s ON s.id = p.song_id"
        f" WHERE {recommendable} AND NOT EXISTS"
        f" (SELECT FROM {LIKES} l WHERE l.user_id = %s AND l.song_id = p.song_id)"
        " ORDER BY p.last_played DESC, a.id DESC LIMIT %s)"
    )
    return statement, [user.pk, *params, limit, user.pk, *params, user.pk, limit]


def taste_tags_sql(*, version_id: int, song_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The tags (as JSON text) of the analyses by the version of `song_ids`."""
    return (
        f"SELECT song_id, tags::text FROM {ANALYSES}"  # noqa: S608
        " WHERE model_version_id = %s AND song_id = ANY(%s)",
        [version_id, list(song_ids)],
    )


def for_you_sql(
    *,
    points: np.ndarray,
    user: User,
    version_id: int,
    per_point: int,
    exclude_files: Sequence[str],
) -> tuple[str, list[Any]]:
    """The `per_point` nearest analyses to each of `points` (k, dim) that `user` may be offered,
    with embeddings: recommendable, not liked by them, not their own, not one of
    `exclude_files` (SHA-256). A LATERAL join runs one HNSW scan per point."""
    recommendable, params = recommendable_sql(user=user, version_id=version_id)
    distance = "a.embedding <=> point.vector"
    statement = (
        "SELECT found.* FROM unnest(%s::text[]::vector[]) WITH ORDINALITY AS point(vector, n)"  # noqa: S608
        f" CROSS JOIN LATERAL (SELECT {columns(distance=distance, embedding=True, songs=True)}"
        f" FROM {ANALYSES} a JOIN {SONGS} s ON s.id = a.song_id"
        f" WHERE {recommendable} AND s.owner_id IS DISTINCT FROM %s"
        f" AND NOT EXISTS (SELECT FROM {LIKES} l WHERE l.user_id = %s AND l.song_id = a.song_id)"
        # The files as one comma-separated parameter: 200 quoted strings cost more to send.
        f" AND s.sha256 <> ALL(string_to_array(%s, ',')) ORDER BY {distance} LIMIT %s) AS found"
    )
    vectors = [vector_literal(point) for point in points]
    return statement, [vectors, *params, user.pk, user.pk, ",".join(exclude_files), per_point]


def cold_start_sql(*, user: User | None, version_id: int, limit: int) -> tuple[str, list[Any]]:
    """The `limit` most liked and played songs (their like and play counts, then the song's
    columns), then the `limit` newest songs (counts NULL), among songs analysed as music by the
    version that `user` may see, neither theirs nor disliked by them.

    Popular songs start from the liked and played ones and reach each song through its key;
    the newest walk the (created_at, id) index.
    """
    visible, params = visible_sql(user=user, alias="s")
    condition = (
        f"s.status = %s AND s.missing_since IS NULL AND {visible} AND EXISTS (SELECT FROM"
        f" {ANALYSES} a WHERE a.song_id = s.id AND a.model_version_id = %s AND NOT a.is_not_music)"
    )
    params = [Song.Status.DONE.value, *params, version_id]
    if user is not None and user.is_authenticated:
        condition += (
            " AND s.owner_id IS DISTINCT FROM %s AND NOT EXISTS"
            f" (SELECT FROM {DISLIKES} d WHERE d.user_id = %s AND d.song_id = s.id)"
        )
        params += [user.pk, user.pk]
    statement = (
        "WITH counted AS (SELECT song_id, count(*) FILTER (WHERE liked) AS likes,"  # noqa: S608
        " count(*) FILTER (WHERE NOT liked) AS plays"
        f" FROM (SELECT song_id, true AS liked FROM {LIKES}"
        f" UNION ALL SELECT song_id, false FROM {PLAYS} WHERE NOT skipped) AS heard"
        " GROUP BY song_id)"
        f" (SELECT c.likes, c.plays, {song_columns_sql(alias='s')}"
        f" FROM counted c JOIN {SONGS} s ON s.id = c.song_id"
        f" WHERE {condition}"
        " ORDER BY c.likes + c.plays DESC, c.likes DESC, s.created_at DESC, s.id DESC LIMIT %s)"
        f" UNION ALL (SELECT NULL, NULL, {song_columns_sql(alias='s')} FROM {SONGS} s"
        f" WHERE {condition}"
        " ORDER BY s.created_at DESC, s.id DESC LIMIT %s)"
    )
    return statement, [*params, limit, *params, limit]
