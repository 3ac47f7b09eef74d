"""A database built before the package move migrates to the new layout and keeps every row.

Songs, genres and likes moved from the first app (``recommender``) to ``library``, and worker
heartbeats to ``classifier``, with state-only migrations: the tables and their rows stay.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from classifier.models import Analysis, ModelVersion, WorkerHeartbeat
from library.models import Genre, Like, Song

BEFORE_THE_MOVE = [
    ("recommender", "0002_song_is_public"),
    ("classifier", "0003_model_version_library_covered_at"),
    ("library", None),  # the app did not exist yet
]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_rows_made_before_the_move_are_all_there_after_it() -> None:
    executor = _migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE[:2]).apps
    user = old.get_model("auth", "User").objects.create(username="ada")
    genre = old.get_model("recommender", "Genre").objects.create(name="jazz")
    song = old.get_model("recommender", "Song").objects.create(
        owner=user, title="So What", artist="Miles Davis", audio="songs/ab/so-what.mp3",
        sha256="a" * 64, genre=genre, status="done", is_public=True,
    )  # fmt: skip
    old.get_model("recommender", "Like").objects.create(user=user, song=song)
    old.get_model("recommender", "WorkerHeartbeat").objects.create(
        hostname="worker@old", seen_at=timezone.now()
    )
    version = old.get_model("classifier", "ModelVersion").objects.create(
        name="musicnn-old", architecture="musicnn", artifact_path="musicnn-old/model.keras",
        feature_params={}, class_names=["jazz"], is_active=True,
    )  # fmt: skip
    old.get_model("classifier", "Analysis").objects.create(
        song=song, model_version=version, probabilities={"jazz": 1.0}, predicted_genre="jazz",
        confidence=1.0, embedding=[1.0] + [0.0] * 127,
    )  # fmt: skip
    # (the content types table is the same in every state; the current model reads it)
    song_type_id = ContentType.objects.get_or_create(app_label="recommender", model="song")[0].pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Song.objects.get()
    assert (moved.pk, moved.title, moved.owner_id) == (song.pk, "So What", user.pk)
    assert moved.genre == Genre.objects.get(name="jazz")
    assert Like.objects.get().song_id == song.pk
    assert WorkerHeartbeat.objects.get().hostname == "worker@old"
    analysis = Analysis.objects.get()
    assert analysis.song_id == song.pk
    assert analysis.model_version == ModelVersion.objects.get(name="musicnn-old")
    # Permissions and admin history hang on content types: renamed, not created anew.
    assert ContentType.objects.get(app_label="library", model="song").pk == song_type_id
    assert not ContentType.objects.filter(app_label="recommender").exists()
