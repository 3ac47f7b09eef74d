"""The data model holds what users rely on: vectors, nearest neighbours, uniqueness."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import IntegrityError, connection, transaction
from pgvector.django import CosineDistance

from classifier.models import Analysis
from tests.factories import (
    make_analysis,
    make_model_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


def test_song_round_trips_with_its_embedding() -> None:
    owner = make_user()
    song = make_song(owner=owner, title="Blue in Green", artist="Miles Davis", duration=337.5)
    rng = np.random.default_rng(7)
    embedding = unit_vector(rng.normal(size=128))
    make_analysis(song=song, model_version=make_model_version(), embedding=embedding)

    stored = Analysis.objects.select_related("song").get(song=song)

    assert stored.song.title == "Blue in Green"
    assert stored.song.duration == 337.5
    assert stored.song.audio.name.startswith("songs/")
    assert "ignored" not in stored.song.audio.name  # the client's name never reaches storage
    np.testing.assert_allclose(np.asarray(stored.embedding), embedding, rtol=1e-6)


def test_cosine_query_through_hnsw_index_returns_nearest() -> None:
    model = make_model_version()
    vectors = {
        "east": unit_vector([1, 0, 0]),
        "north-east": unit_vector([1, 1, 0]),
        "north": unit_vector([0, 1, 0]),
        "up": unit_vector([0, 0, 1]),
        "west": unit_vector([-1, 0, 0]),
    }
    for title, vector in vectors.items():
        make_analysis(song=make_song(title=title), model_version=model, embedding=vector)
    query = unit_vector([0.9, 0.2, 0])

    with transaction.atomic(), connection.cursor() as cursor:
        # A five-row table would be scanned sequentially; force the planner onto the index so the
        # test proves the HNSW path works, not just the operator.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Rows that earlier tests inserted and rolled back stay in the index as dead tuples until
        # a vacuum; a plain scan can spend its ef_search candidates on them and come back short.
        cursor.execute("SET LOCAL hnsw.iterative_scan = strict_order")
        # Rolled-back rows of earlier tests stay in the index as dead entries until a vacuum;
        # search wide enough that they cannot crowd out the five live ones.
        cursor.execute("SET LOCAL hnsw.ef_search = 200")
        queryset = Analysis.objects.annotate(distance=CosineDistance("embedding", query)).order_by(
            "distance"
        )
        plan = queryset[:3].explain()
        titles = [a.song.title for a in queryset.select_related("song")[:3]]

    assert "analysis_embedding_hnsw" in plan
    assert titles == ["east", "north-east", "north"]


def test_same_file_twice_for_one_owner_is_refused() -> None:
    owner = make_user()
    make_song(owner=owner, content=b"same bytes")
    make_song(owner=make_user(), content=b"same bytes")  # another owner may have it too

    with pytest.raises(IntegrityError), transaction.atomic():
        make_song(owner=owner, content=b"same bytes")


def test_same_dataset_file_twice_is_refused() -> None:
    make_song(owner=None, content=b"dataset bytes")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_song(owner=None, content=b"dataset bytes")


def test_two_analyses_for_one_song_and_model_are_refused() -> None:
    song = make_song()
    model = make_model_version()
    make_analysis(song=song, model_version=model, embedding=unit_vector([1]))

    with pytest.raises(IntegrityError), transaction.atomic():
        make_analysis(song=song, model_version=model, embedding=unit_vector([0, 1]))

    other_model = make_model_version()
    make_analysis(song=song, model_version=other_model, embedding=unit_vector([0, 1]))
    assert song.analyses.count() == 2


def test_at_most_one_model_version_is_active() -> None:
    make_model_version(is_active=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_model_version(is_active=True)
