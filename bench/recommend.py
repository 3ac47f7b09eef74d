"""Latency and recall of "similar songs" on synthetic libraries, through the real selector.

    .venv/bin/python -m timbre.stack exec -- \\
        .venv/bin/python bench/recommend.py --songs 10000,100000,1000000

For each size, one after the other in a scratch database (``timbre_bench`` on the server of
``DATABASE_URL``, dropped at the end; the development database is not touched):

- songs: 90 % dataset songs, 10 % uploads of 50 users, half of those shared; all analysed by the
  serving (active) model version, and 20 % also by an older version, so the vector search has to
  skip rows of another version as it does during a model switch;
- embeddings: unit vectors around 200 cluster centres, each cluster spread over its own random
  16-dimensional subspace plus a little isotropic noise (nearest neighbours at cosine ~0.85-0.9).
  Learned embeddings have a low intrinsic dimension; uniform random 128-d vectors would make
  approximate search unrealistically hard. `--intrinsic-dim 128` gives isotropic clusters;
- loading: binary COPY into a staging table, one INSERT … SELECT, then the HNSW index built once
  after loading with a large maintenance_work_mem and parallel workers (build time reported).

Then, as one user (who sees the dataset, the shared songs and their own):
- latency: `song_list_similar(song=…, user=…, limit=10, version=…)`, the selector the views call,
  for `--queries` random visible songs after a warm-up: p50 and p99 in ms, wall clock from Python.
  The version is resolved once, as a view would before calling; `serving lookup` reports what
  `model_version_serving()` costs on its own at that size;
- recall@10: the selector's search (``recommender.search.similar_sql``, HNSW with the selector's
  search settings) against the same statement run as an exact scan (index scans disabled): the share
  of the exact 10 nearest that are among the 10 nearest of the HNSW candidates;
- For you (`song_list_for_you`) for a user with `--likes` (200) likes of random visible songs,
  and cold start (the same selector for a user with no likes: popular, then newest songs);
- where each query's time goes: `sql` is the time inside the database calls (planning,
  executing and fetching the rows), `python` the rest (building querysets, model instances,
  ranking); for similar songs `index` is a bare HNSW query (`ORDER BY embedding <=> q LIMIT 40`
  with the same search settings), the part no selector can save.

`--skip-recall` leaves out the exact scans (minutes at 1M songs on a small machine).

Listening (issue 12), as the same user, who has 20 dislikes and 20 recent skips (so the aversion
is computed and applied on every call), for `--listening-queries` calls each, after a warm-up:
- next radio song: ``radio_next(count=1)`` in radio sessions of 10 songs from random seeds,
  each call sending the session's history so far (the API's shape: the radio keeps no state);
- a mix of 5 seeds: ``mix_create(seeds=5 random songs, limit=20)``;
- a 20-step path: ``song_path(start, end, steps=20)`` between two random songs.
Songs have one of 5,000 artists, so the radio's artist rule has work to do.

Subsonic (issue 13), as the same user with an API key: ``getSonicSimilarTracks`` (count 10,
JSON) for `--listening-queries` random visible songs through Django's test client, the whole
request (authentication, the similar-songs selector, the song list read, serialisation) but no
socket and no gunicorn.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timbre.settings")

DIM = 128
USERS = 50
GENRES = [
    "blues", "classical", "country", "disco", "hiphop",
    "jazz", "metal", "pop", "reggae", "rock",
]  # fmt: skip
CHUNK = 100_000
TAGS = 50  # musicnn's Million Song Dataset tags
INDEX_NAME = "analysis_embedding_hnsw"


def parse_sizes(text: str) -> list[int]:
    return [int(part.replace("_", "").replace(",", "")) for part in text.split(",") if part]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", default="10000,100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per size")
    parser.add_argument("--recall-queries", type=int, default=100, help="exact scans per size")
    parser.add_argument(
        "--listening-queries", type=int, default=200, help="timed radio, mix and path calls"
    )
    parser.add_argument("--m", type=int, help="HNSW m (default: the migration's index)")
    parser.add_argument("--ef-construction", type=int, help="HNSW ef_construction (default: ditto)")
    parser.add_argument(
        "--ef-search", help="comma-separated hnsw.ef_search values to measure (default: the app's)"
    )
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--intrinsic-dim", type=int, default=16)
    parser.add_argument("--stale-fraction", type=float, default=0.2)
    parser.add_argument("--database", default="timbre_bench")
    parser.add_argument("--keep", action="store_true", help="leave the bench database behind")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the library a --keep run left, when it has the size asked (no reload)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--likes", type=int, default=200, help="likes of the For you user")
    parser.add_argument("--skip-recall", action="store_true", help="no exact scans")
    return parser.parse_args()


def database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# --- synthetic data ------------------------------------------------------------------------------


class Clusters:
    """Gaussian clusters on the unit sphere, each spread over its own low-dimensional subspace."""

    def __init__(self, rng: np.random.Generator, *, count: int, intrinsic_dim: int) -> None:
        centres = rng.normal(size=(count, DIM))
        self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        self.bases = rng.normal(size=(count, DIM, intrinsic_dim)) / np.sqrt(DIM)
        # Isotropic clusters need less spread per dimension for the same neighbourhood.
        self.spread = 0.15 if intrinsic_dim <= 32 else 0.05
        self.noise = 0.02 if intrinsic_dim <= 32 else 0.0

    def sample(self, rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
        """Unit vectors, shape (len(labels), DIM), float32."""
        vectors = self.centres[labels] + rng.normal(size=(len(labels), DIM)) * self.noise
        z = rng.normal(size=(len(labels), self.bases.shape[2])) * self.spread
        for cluster in np.unique(labels):
            rows = labels == cluster
            vectors[rows] += z[rows] @ self.bases[cluster].T
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32)


COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        *[("song_len", ">i4"), ("song_id", ">i8")],
        *[("version_len", ">i4"), ("version_id", ">i8")],
        *[("cluster_len", ">i4"), ("cluster", ">i4")],
        *[("vector_len", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("vector", ">f4", (DIM,))],
    ]
)


def copy_rows(
    song_ids: np.ndarray, version_id: int, labels: np.ndarray, vectors: np.ndarray
) -> bytes:
    """Rows of PostgreSQL's binary COPY format, (song_id, version_id, cluster, vector)."""
    rows = np.zeros(len(song_ids), dtype=COPY_ROW)
    rows["fields"] = 4
    rows["song_len"], rows["song_id"] = 8, song_ids
    rows["version_len"], rows["version_id"] = 8, version_id
    rows["cluster_len"], rows["cluster"] = 4, labels
    rows["vector_len"], rows["dim"], rows["vector"] = 4 + 4 * DIM, DIM, vectors
    return rows.tobytes()


def genre_profiles(
    rng: np.random.Generator, clusters: int
) -> list[tuple[int, str, str, float, str]]:
    """Per cluster: stored genre probabilities, concentrated on one genre, as the model gives,
    and 50 tag scores as musicnn's (a few clear ones, the rest faint), so that reading and
    comparing tags costs what it does in a real library."""
    profiles = []
    for cluster in range(clusters):
        tag_scores = rng.beta(0.3, 3.0, size=TAGS)
        alpha = np.full(len(GENRES), 0.3)
        alpha[cluster % len(GENRES)] = 6.0
        probabilities = rng.dirichlet(alpha)
        top = int(np.argmax(probabilities))
        as_json = json.dumps(
            {g: round(float(p), 4) for g, p in zip(GENRES, probabilities, strict=True)}
        )
        tags = json.dumps({f"tag {i:02d}": round(float(v), 4) for i, v in enumerate(tag_scores)})
        profiles.append((cluster, as_json, GENRES[top], float(probabilities[top]), tags))
    return profiles


def load_library(
    conn: psycopg.Connection, *, size: int, versions: tuple[int, int], args: argparse.Namespace
) -> None:
    """`size` songs with analyses by the serving version (and some by the old one)."""
    serving, old = versions
    rng = np.random.default_rng(args.seed + size)
    clusters = Clusters(rng, count=args.clusters, intrinsic_dim=args.intrinsic_dim)
    conn.execute(
        "TRUNCATE recommender_like, classifier_analysis, recommender_song RESTART IDENTITY CASCADE"
    )
    conn.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    # Every tenth song is an upload by one of the users; every other upload is shared.
    conn.execute(
        """
        INSERT INTO recommender_song (
            id, owner_id, title, artist, audio, original_filename, sha256, size_bytes,
            audio_format, duration, sample_rate, status, error_code, error_message, attempts,
            source, is_public, created_at, updated_at)
        SELECT g, CASE WHEN g %% 10 = 0 THEN 1 + (g / 10) %% %(users)s END, 'Song ' || g,
               'Artist ' || g %% 5000,
               'bench/' || g || '.wav', '', md5(g::text) || md5('timbre' || g), 1000000,
               'wav', 30, 22050, 'done', '', '', 1,
               CASE WHEN g %% 10 = 0 THEN 'upload' ELSE 'dataset' END, g %% 20 = 0,
               now() - g * interval '1 second', now()
        FROM generate_series(1, %(size)s) AS g
        """,
        {"size": size, "users": USERS},
    )
    conn.execute("SELECT setval(pg_get_serial_sequence('recommender_song', 'id'), %s)", [size])
    conn.execute(
        sql.SQL(
            "CREATE UNLOGGED TABLE bench_vectors "
            "(song_id bigint, version_id bigint, cluster int, embedding vector({}))"
        ).format(sql.Literal(DIM))
    )
    conn.execute(
        "CREATE TEMPORARY TABLE bench_profiles "
        "(cluster int PRIMARY KEY, probabilities jsonb, genre text, confidence float, tags jsonb)"
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_profiles VALUES (%s, %s, %s, %s, %s)",
            genre_profiles(rng, args.clusters),
        )
        copy_sql = "COPY bench_vectors FROM STDIN (FORMAT BINARY)"
        with cursor.copy(copy_sql) as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            for start in range(1, size + 1, CHUNK):
                song_ids = np.arange(start, min(start + CHUNK, size + 1), dtype=np.int64)
                labels = rng.integers(0, args.clusters, len(song_ids)).astype(np.int32)
                copy.write(copy_rows(song_ids, serving, labels, clusters.sample(rng, labels)))
                # Older analyses of some songs: rows the search must skip, not return.
                stale = song_ids[rng.random(len(song_ids)) < args.stale_fraction]
                stale_labels = rng.integers(0, args.clusters, len(stale)).astype(np.int32)
                copy.write(copy_rows(stale, old, stale_labels, clusters.sample(rng, stale_labels)))
            copy.write(struct.pack(">h", -1))
    conn.execute(
        """
        INSERT INTO classifier_analysis (
            song_id, model_version_id, probabilities, predicted_genre, confidence, embedding,
            tags, segment_count, is_unsure, is_not_music, created_at)
        SELECT v.song_id, v.version_id, p.probabilities, p.genre, p.confidence, v.embedding,
               p.tags, 10, false, false, now()
        FROM bench_vectors v JOIN bench_profiles p USING (cluster)
        """
    )
    conn.execute("DROP TABLE bench_vectors")
    conn.execute("DROP TABLE bench_profiles")
    # The For you user (1) likes `--likes` random songs they may see; user 2 likes nothing.
    conn.execute(
        """
        INSERT INTO recommender_like (user_id, song_id, created_at)
        SELECT 1, g, now() - g * interval '1 second'
        FROM generate_series(1, %(size)s) AS g
        WHERE g %% 10 <> 0 OR g %% 20 = 0
        ORDER BY md5(g::text || 'likes') LIMIT %(likes)s
        """,
        {"size": size, "likes": args.likes},
    )
    conn.execute("VACUUM ANALYZE recommender_song")
    conn.execute("VACUUM ANALYZE classifier_analysis")
    conn.execute("VACUUM ANALYZE recommender_like")


def build_index(conn: psycopg.Connection, *, m: int, ef_construction: int) -> None:
    # The whole graph in memory (about 1 kB per vector at m=16) keeps the build fast; beyond it
    # pgvector falls back to a much slower on-disk insertion.
    conn.execute("SET maintenance_work_mem = '6GB'")
    workers = max(1, (os.cpu_count() or 2) - 1)  # the leader builds too
    conn.execute(sql.SQL("SET max_parallel_maintenance_workers = {}").format(workers))
    conn.execute(
        sql.SQL(
            "CREATE INDEX {} ON classifier_analysis USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = {}, ef_construction = {})"
        ).format(sql.Identifier(INDEX_NAME), sql.Literal(m), sql.Literal(ef_construction))
    )
    conn.execute("ANALYZE classifier_analysis")


# --- measurement ---------------------------------------------------------------------------------


class SqlTimer:
    """Time spent inside the database calls of the wrapped code (Django's execute wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):  # Django's wrapper signature
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def timed(call, *, repeat: list) -> dict[str, float]:
    """p50/p99 of `call(item)` over `repeat` (wall ms), and the mean ms in SQL and in Python."""
    from django.db import connection

    latencies, sql_ms, queries = [], [], []
    for item in repeat:
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            call(item)
            latencies.append((time.perf_counter() - started) * 1000)
        sql_ms.append(timer.seconds * 1000)
        queries.append(timer.queries)
    return {
        "p50": float(np.percentile(latencies, 50)),
        "p99": float(np.percentile(latencies, 99)),
        "sql": float(np.mean(sql_ms)),
        "python": float(np.mean(latencies) - np.mean(sql_ms)),
        "queries": float(np.mean(queries)),
    }


def breakdown(result: dict[str, float]) -> str:
    return (
        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms "
        f"(mean: sql {result['sql']:.1f} ms in {result['queries']:.0f} queries, "
        f"python {result['python']:.1f} ms)"
    )


@contextmanager
def ef_search_setting(value: int) -> Iterator[None]:
    from recommender import recommendations

    previous = recommendations.HNSW_EF_SEARCH
    recommendations.HNSW_EF_SEARCH = value
    try:
        yield
    finally:
        recommendations.HNSW_EF_SEARCH = previous


def measure(*, size: int, ef_search: int, args: argparse.Namespace) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from classifier.models import Analysis
    from classifier.selectors import model_version_serving
    from library.models import Song
    from recommender.recommendations import (
        CANDIDATE_FACTOR,
        DUPLICATE_DISTANCE,
        song_list_for_you,
        song_list_similar,
    )
    from recommender.search import hnsw_search, similar_sql

    limit = 10
    user = get_user_model().objects.get(pk=1)
    rng = np.random.default_rng(args.seed + 1)
    ids = rng.choice(np.arange(1, size + 1), size=min(size, 4 * args.queries), replace=False)
    # Visible to user 1: dataset songs, shared uploads and user 1's own.
    visible = [int(i) for i in ids if i % 10 != 0 or i % 20 == 0 or 1 + (i // 10) % USERS == 1]
    by_id = Song.objects.in_bulk(visible[: args.queries + 20])
    songs = [by_id[i] for i in visible[: args.queries + 20]]
    version = model_version_serving()
    assert version is not None

    started = time.perf_counter()
    for _ in range(5):
        model_version_serving()
    serving_ms = (time.perf_counter() - started) / 5 * 1000

    with ef_search_setting(ef_search):
        for song in songs[:20]:  # warm-up: caches, connection, plans
            song_list_similar(song=song, user=user, limit=limit, version=version)

        def similar(song: Song) -> None:
            items = song_list_similar(song=song, user=user, limit=limit, version=version)
            assert len(items) == limit, f"only {len(items)} similar songs for song {song.pk}"

        similar_result = timed(similar, repeat=songs[20:])
        vectors = dict(
            Analysis.objects.filter(model_version=version, song__in=songs[20:]).values_list(
                "song_id", "embedding"
            )
        )
        index_result = timed(
            lambda vector: bare_hnsw(vector, ef_search=ef_search, count=limit * CANDIDATE_FACTOR),
            repeat=list(vectors.values()),
        )

        count = limit * CANDIDATE_FACTOR
        seeds = Analysis.objects.filter(
            model_version=version, song__in=songs[20 : 20 + args.recall_queries]
        ).values_list("song_id", flat=True)
        recalls = [float("nan")] if args.skip_recall else []
        for seed in [] if args.skip_recall else seeds:
            statement, params = similar_sql(
                song_id=seed, user=user, version_id=version.pk, count=count,
                duplicate_distance=DUPLICATE_DISTANCE,
            )  # fmt: skip
            with hnsw_search(ef_search=max(ef_search, count)), connection.cursor() as cursor:
                if not recalls:
                    cursor.execute("EXPLAIN " + statement, params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    assert INDEX_NAME in plan, f"the HNSW index is not used:\n{plan}"
                cursor.execute(statement, params)
                # The seed's own row comes back too, as the selector reads it: not a candidate.
                approximate = [(row[0], row[1]) for row in cursor.fetchall() if row[0] != seed]
            nearest = {song_id for song_id, _ in sorted(approximate, key=lambda r: r[1])[:limit]}
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(statement, params)
                exact = [row[0] for row in cursor.fetchall() if row[0] != seed][:limit]
            recalls.append(len(nearest & set(exact)) / len(exact))
        fan, newcomer = (get_user_model().objects.get(pk=pk) for pk in (1, 2))
        timed(lambda _: song_list_for_you(user=fan, limit=limit, version=version), repeat=[0] * 5)
        for_you = timed(
            lambda _: song_list_for_you(user=fan, limit=limit, version=version),
            repeat=[0] * args.queries,
        )
        cold = timed(
            lambda _: song_list_for_you(user=newcomer, limit=limit, version=version),
            repeat=[0] * args.queries,
        )
    return {
        "p50": similar_result["p50"],
        "p99": similar_result["p99"],
        "recall": float(np.mean(recalls)),
        "serving_ms": serving_ms,
        "similar": similar_result,
        "index": index_result,
        "for_you": for_you,
        "cold_start": cold,
    }


def measure_listening(*, size: int, args: argparse.Namespace) -> dict[str, list[float]]:
    """Latencies (ms) of the next radio song, a 5-seed mix and a 20-step path; see the docstring."""
    from django.contrib.auth import get_user_model

    from classifier.selectors import model_version_serving
    from library.models import Dislike, Play, Song
    from recommender.mixes import mix_create
    from recommender.paths import song_path
    from recommender.radio import radio_next

    user = get_user_model().objects.get(pk=1)
    rng = np.random.default_rng(args.seed + 2)
    ids = rng.choice(np.arange(1, size + 1), size=min(size, 20 * args.listening_queries + 200))
    visible = [int(i) for i in ids if i % 10 != 0 or i % 20 == 0 or 1 + (i // 10) % USERS == 1]
    by_id = Song.objects.in_bulk(visible)
    songs = [by_id[i] for i in visible]
    Dislike.objects.bulk_create(
        [Dislike(user=user, song=song) for song in songs[:20]], ignore_conflicts=True
    )
    Play.objects.bulk_create(
        [Play(user=user, song=song, seconds_played=5.0, skipped=True) for song in songs[20:40]]
    )
    songs = songs[40:]
    version = model_version_serving()
    assert version is not None
    n = args.listening_queries
    timings: dict[str, list[float]] = {"radio": [], "mix": [], "path": [], "sonic": []}

    def timed(kind: str, call: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = call(user=user, version=version, **kwargs)
        timings[kind].append((time.perf_counter() - started) * 1000)
        return result

    for warm in songs[:5]:  # caches, connection, plans
        radio_next(seed=warm, user=user, version=version)
        mix_create(seeds=songs[:5], user=user, version=version)
        song_path(start=warm, end=songs[6], user=user, steps=20, version=version)
    seeds = iter(songs[10:])
    while len(timings["radio"]) < n:
        seed, history = next(seeds), []
        for _ in range(10):
            picks = timed("radio", radio_next, seed=seed, history=list(history))
            assert picks, f"the radio from song {seed.pk} ran dry"
            history.append(picks[0].song.pk)
    for _ in range(n):
        chosen = [songs[int(i)] for i in rng.choice(len(songs), 5, replace=False)]
        assert len(timed("mix", mix_create, seeds=chosen, limit=20)) == 20
    for _ in range(n):
        start, end = (songs[int(i)] for i in rng.choice(len(songs), 2, replace=False))
        path = timed("path", song_path, start=start, end=end, steps=20)
        assert len(path) == 21, f"a path of {len(path)} songs"
    timings["sonic"] = measure_sonic_similar(user=user, songs=songs, count=n)
    return timings


def measure_sonic_similar(*, user: Any, songs: list[Any], count: int) -> list[float]:
    """Latencies (ms) of Subsonic ``getSonicSimilarTracks`` requests, one per song of `songs`."""
    from django.test import Client

    from subsonic.services import credentials_rotate

    api_key = credentials_rotate(user=user).api_key
    client = Client(HTTP_HOST="127.0.0.1")
    timings = []
    for index, song in enumerate(songs[: count + 5]):
        started = time.perf_counter()
        response = client.get(
            "/rest/getSonicSimilarTracks",
            {
                "id": song.pk,
                "count": 10,
                "apiKey": api_key,
                "f": "json",
                "c": "bench",
                "v": "1.16.1",
            },
        )
        elapsed = (time.perf_counter() - started) * 1000
        body = response.json()["subsonic-response"]
        assert body["status"] == "ok", body
        assert len(body["sonicMatch"]) == 10, f"{len(body['sonicMatch'])} matches"
        if index >= 5:  # the first five warm caches, the connection and the plans
            timings.append(elapsed)
    return timings


def bare_hnsw(vector: object, *, ef_search: int, count: int) -> list[int]:
    """The index's own share: the nearest `count` analyses, no filters, no models built."""
    from django.db import connection

    from recommender.search import hnsw_search

    literal = "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector)) + "]"
    with hnsw_search(ef_search=ef_search), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM classifier_analysis ORDER BY embedding <=> %s::vector LIMIT %s",
            [literal, count],
        )
        return [row[0] for row in cursor.fetchall()]


def main() -> int:
    args = parse_args()
    dev_url = os.environ.get("DATABASE_URL")
    if not dev_url:
        print("Run under the servers: python -m timbre.stack exec -- python bench/…")
        return 2
    with psycopg.connect(dev_url, autocommit=True) as admin:
        name = sql.Identifier(args.database)
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if not (args.reuse and exists):
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    url = database_url(dev_url, args.database)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from classifier.models import Analysis, ModelVersion
    from recommender import recommendations

    settings.DEBUG = False  # no query log kept in memory while timing
    try:
        call_command("migrate", verbosity=0)
        index = next(i for i in Analysis._meta.indexes if i.name == INDEX_NAME)
        m = args.m or index.m
        ef_construction = args.ef_construction or index.ef_construction
        ef_values = (
            parse_sizes(args.ef_search) if args.ef_search else [recommendations.HNSW_EF_SEARCH]
        )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO auth_user (id, password, is_superuser, username, first_name, "
                "last_name, email, is_staff, is_active, date_joined) "
                "SELECT g, '!', false, 'bench' || g, '', '', '', false, true, now() "
                "FROM generate_series(1, %s) AS g ON CONFLICT DO NOTHING",
                [USERS],
            )
        now = timezone.now()
        old, _ = ModelVersion.objects.get_or_create(
            name="bench-old", defaults=dict(
                architecture="musicnn", artifact_path="-", feature_params={},
                class_names=GENRES, activated_at=now - timezone.timedelta(days=1),
            ),
        )  # fmt: skip
        serving, _ = ModelVersion.objects.get_or_create(
            name="bench-serving", defaults=dict(
                architecture="musicnn", artifact_path="-", feature_params={},
                class_names=GENRES, is_active=True, activated_at=now,
            ),
        )  # fmt: skip
        print(
            f"HNSW m={m}, ef_construction={ef_construction}; hnsw.iterative_scan=relaxed_order; "
            f"{args.clusters} clusters, intrinsic dim {args.intrinsic_dim}, "
            f"{args.stale_fraction:.0%} extra rows of an older model version; "
            f"{args.queries} timed queries, {args.recall_queries} exact scans per size",
            flush=True,
        )
        for size in parse_sizes(args.songs):
            with psycopg.connect(url, autocommit=True) as conn:
                loaded = conn.execute("SELECT count(*) FROM recommender_song").fetchone()[0]
                indexed = conn.execute("SELECT to_regclass(%s)", [INDEX_NAME]).fetchone()[0]
                if args.reuse and loaded == size and indexed:
                    load_s = build_s = 0.0  # the kept library, as loaded and indexed before
                    print(f"{size:,} songs: reusing the kept library", flush=True)
                else:
                    started = time.perf_counter()
                    load_library(conn, size=size, versions=(serving.pk, old.pk), args=args)
                    load_s = time.perf_counter() - started
                    started = time.perf_counter()
                    build_index(conn, m=m, ef_construction=ef_construction)
                    build_s = time.perf_counter() - started
                index_mb = conn.execute(
                    "SELECT pg_relation_size(%s) / 1e6", [INDEX_NAME]
                ).fetchone()[0]
            connections.close_all()  # the tables were rebuilt: no cached plans or stats
            for ef_search in ef_values:
                result = measure(size=size, ef_search=ef_search, args=args)
                print(
                    f"{size:>9,} songs: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
                    f"recall@10 {result['recall']:.3f}  (ef_search {ef_search}; "
                    f"load {load_s:.0f} s, index build {build_s:.0f} s, {index_mb:.0f} MB; "
                    f"serving-version lookup {result['serving_ms']:.1f} ms)",
                    flush=True,
                )
                print(f"    similar songs: {breakdown(result['similar'])}", flush=True)
                print(f"      bare HNSW index query: {breakdown(result['index'])}", flush=True)
                print(
                    f"    For you ({args.likes} likes): {breakdown(result['for_you'])}", flush=True
                )
                print(f"    cold start (no likes): {breakdown(result['cold_start'])}", flush=True)
            if args.listening_queries:
                listening = measure_listening(size=size, args=args)
                figures = ", ".join(
                    f"{label} p50 {np.percentile(listening[kind], 50):.1f} ms, "
                    f"p99 {np.percentile(listening[kind], 99):.1f} ms"
                    for kind, label in (
                        ("radio", "next radio song"), ("mix", "5-seed mix"),
                        ("path", "20-step path"), ("sonic", "Subsonic getSonicSimilarTracks"),
                    )
                )  # fmt: skip
                print(f"{size:>9,} songs: {figures}", flush=True)
    finally:
        connections.close_all()
        if not args.keep:
            with psycopg.connect(dev_url, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(args.database)
                    )
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
