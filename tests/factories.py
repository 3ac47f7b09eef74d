"""Small factories for model rows; each returns a saved object with sensible defaults."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils import timezone

from classifier.models import EMBEDDING_DIM, Analysis, ModelVersion
from library.models import Genre, Song

_counter = itertools.count(1)


def make_user(
    username: str | None = None, password: str = "correct horse battery"
) -> AbstractBaseUser:
    user_model = get_user_model()
    return user_model.objects.create_user(
        username=username or f"user{next(_counter)}", password=password
    )


def make_genre(name: str = "jazz") -> Genre:
    genre, _ = Genre.objects.get_or_create(name=name)
    return genre


def make_song(
    *,
    owner: AbstractBaseUser | None = None,
    title: str | None = None,
    content: bytes | None = None,
    **fields: object,
) -> Song:
    n = next(_counter)
    content = content if content is not None else f"song-{n}".encode()
    song = Song(
        owner=owner,
        title=title or f"Song {n}",
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        **{"audio_format": "wav", **fields},
    )
    song.audio.save("ignored.wav", ContentFile(content), save=False)
    song.save()
    return song


def make_model_version(
    *, name: str | None = None, class_names: list[str] | None = None, is_active: bool = False
) -> ModelVersion:
    return ModelVersion.objects.create(
        name=name or f"test-model-{next(_counter)}",
        architecture=ModelVersion.Architecture.MUSICNN,
        artifact_path="test.keras",
        feature_params={"preset": "musicnn"},
        class_names=class_names or ["jazz", "rock"],
        is_active=is_active,
    )


def unit_vector(values: list[float] | np.ndarray) -> np.ndarray:
    vector = np.zeros(EMBEDDING_DIM, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def make_analysis(
    *, song: Song, model_version: ModelVersion, embedding: np.ndarray, predicted_genre: str = "jazz"
) -> Analysis:
    return Analysis.objects.create(
        song=song,
        model_version=model_version,
        embedding=embedding,
        probabilities={predicted_genre: 1.0},
        predicted_genre=predicted_genre,
        confidence=1.0,
    )


def build_model_artifact(artifact_dir: Path, *, class_names: list[str], seed: int = 0) -> Path:
    """A real, loadable musicnn artifact with an untrained head: seconds instead of a training run.

    Its predictions are arbitrary but deterministic, which is all pipeline tests need.
    """
    import keras

    from audio.features import MUSICNN
    from classifier.artifacts import MODEL_FILENAME, SIDECAR_FILENAME
    from classifier.nets.head import build_genre_head
    from classifier.nets.musicnn import MSD_TAGS, PENULTIMATE_DIM, load_musicnn_backbone
    from classifier.trainer import musicnn_inference_model

    keras.utils.set_random_seed(seed)
    head = build_genre_head(input_dim=PENULTIMATE_DIM, num_classes=len(class_names))
    model = musicnn_inference_model(load_musicnn_backbone(), head)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    model.save(artifact_dir / MODEL_FILENAME)
    sidecar = {
        "architecture": "musicnn", "class_names": class_names,
        "feature_params": MUSICNN.to_dict(), "tag_names": list(MSD_TAGS),
    }  # fmt: skip
    (artifact_dir / SIDECAR_FILENAME).write_text(json.dumps(sidecar))
    return artifact_dir


def make_ready_model_version(
    *,
    model_dir: Path,
    name: str = "test-musicnn",
    class_names: list[str] | None = None,
    activate: bool = True,
) -> ModelVersion:
    """A registered model version whose artifact exists under MODEL_DIR (built once per name)."""
    from audio.features import MUSICNN

    class_names = class_names or ["jazz", "rock", "techno"]
    artifact_dir = model_dir / name
    if not (artifact_dir / "model.keras").is_file():
        build_model_artifact(artifact_dir, class_names=class_names, seed=len(name))
    return ModelVersion.objects.create(
        name=name, architecture=ModelVersion.Architecture.MUSICNN, artifact_path=name,
        feature_params=MUSICNN.to_dict(), class_names=class_names, is_active=activate,
        activated_at=timezone.now() if activate else None,
        library_covered_at=timezone.now() if activate else None,
    )  # fmt: skip


def make_serving_version(
    *, name: str | None = None, class_names: list[str] | None = None
) -> ModelVersion:
    """The active model version, activated now: what `model_version_serving` picks."""
    version = make_model_version(name=name, class_names=class_names, is_active=True)
    version.activated_at = version.library_covered_at = timezone.now()
    version.save(update_fields=["activated_at", "library_covered_at"])
    return version


def make_analysed_song(
    *,
    version: ModelVersion,
    embedding: np.ndarray,
    probabilities: dict[str, float] | None = None,
    owner: AbstractBaseUser | None = None,
    title: str | None = None,
    **fields: object,
) -> Song:
    """A finished song with an analysis by `version` (predicted genre: the most probable one)."""
    probabilities = probabilities or {"jazz": 1.0}
    song = make_song(owner=owner, title=title, **{"status": Song.Status.DONE, **fields})
    predicted = max(probabilities, key=probabilities.__getitem__)
    Analysis.objects.create(
        song=song,
        model_version=version,
        embedding=embedding,
        probabilities=probabilities,
        predicted_genre=predicted,
        confidence=probabilities[predicted],
    )
    return song
