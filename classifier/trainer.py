"""Train a genre model on labelled songs and write it as a versioned artifact.

The evaluation protocol fixes the reference design's flaws: songs (not segments) are split into
train/validation/test, the optimiser only ever sees training songs, the best epoch is chosen on
validation songs, and the test songs are scored once, at the end, by the saved artifact itself.

Architectures:
- "musicnn" (default): the pretrained musicnn network, frozen, computes pooled features once per
  segment (cached on disk); the 128-d genre head is trained on them. `fine_tune` trains the whole
  network end to end instead (for large datasets).
- "seed": the reference CNN on 256x256 log-mel images, trained from scratch.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from classifier import feature_cache
from classifier.architectures import Architecture
from classifier.artifacts import CONFUSION_FILENAME, MODEL_FILENAME, ModelSidecar, write_sidecar
from classifier.features import MUSICNN, SEED, FeatureParams
from classifier.inference import Predictor
from classifier.nets.head import build_embedding_extractor, build_genre_head
from classifier.nets.musicnn import MSD_TAGS, POOLED_DIM, load_musicnn_backbone, pooled_features
from classifier.nets.seed import build_seed_cnn
from classifier.training import (
    FitResult,
    Metrics,
    TrainingDataError,
    evaluate_tracks,
    fit_classifier,
    save_confusion_matrix_png,
    split_by_song,
)

logger = logging.getLogger(__name__)

# Each architecture's input; a preset's name is its architecture's value.
FEATURE_PRESETS: dict[Architecture, FeatureParams] = {
    Architecture.MUSICNN: MUSICNN,
    Architecture.SEED: SEED,
}
MUSICNN_BACKBONE_KEY = "msd-pooled"
TAG_BRANCH = ("pooled_bn", "penultimate_dense", "penultimate", "tags")

Log = Callable[[str], None]


@dataclass(frozen=True)
class LabelledSong:
    """What training needs of a song, detached from the ORM."""

    id: int
    sha256: str
    audio_path: Path
    genre: str


@dataclass(frozen=True)
class TrainingOptions:
    architecture: Architecture = Architecture.MUSICNN
    epochs: int | None = None  # None: the architecture's default
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 0
    fine_tune: bool = False
    patience: int | None = None
    validation_fraction: float = 0.15
    test_fraction: float = 0.15
    verbose: int = 1  # Keras progress bar per epoch

    def resolved_epochs(self) -> int:
        if self.epochs is not None:
            return self.epochs
        return 200 if self.architecture == Architecture.MUSICNN and not self.fine_tune else 30

    def resolved_patience(self) -> int:
        if self.patience is not None:
            return self.patience
        return 25 if self.architecture == Architecture.MUSICNN and not self.fine_tune else 6


@dataclass(frozen=True)
class TrainingOutcome:
    artifact_dir: Path
    class_names: list[str]
    params: FeatureParams
    metrics: Metrics
    sidecar: ModelSidecar


def data_fingerprint(songs: Sequence[LabelledSong], params: FeatureParams) -> str:
    """Identifies the labelled data and features a model was trained on."""
    digest = hashlib.sha256(json.dumps(params.to_dict(), sort_keys=True).encode())
    for song in sorted(songs, key=lambda s: s.sha256):
        digest.update(f"{song.sha256}:{song.genre}\n".encode())
    return digest.hexdigest()


def _segments_by_song(
    songs: Sequence[LabelledSong], params: FeatureParams, log: Log
) -> dict[int, np.ndarray]:
    result = {}
    for done, song in enumerate(songs, start=1):
        result[song.id] = feature_cache.song_segments(
            audio_path=song.audio_path, sha256=song.sha256, params=params
        )
        if done % 10 == 0 or done == len(songs):
            log(f"features: {done}/{len(songs)} songs")
    return result


def _backbone_features(
    songs: Sequence[LabelledSong],
    segments: dict[int, np.ndarray],
    params: FeatureParams,
    backbone: keras.Model,
    log: Log,
) -> dict[int, np.ndarray]:
    result = {}
    for done, song in enumerate(songs, start=1):

        def compute(song_id: int = song.id) -> np.ndarray:
            return pooled_features(backbone, segments[song_id])

        result[song.id] = feature_cache.song_backbone_features(
            sha256=song.sha256, params=params, backbone_key=MUSICNN_BACKBONE_KEY, compute=compute
        )
        if done % 10 == 0 or done == len(songs):
            log(f"pretrained features: {done}/{len(songs)} songs")
    return result


def _stack(
    ids: Sequence[int], inputs: dict[int, np.ndarray], labels: dict[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (n_segments, ...), y (n_segments,), song id per segment)."""
    x = np.concatenate([inputs[i] for i in ids])
    y = np.concatenate([np.full(len(inputs[i]), labels[i], dtype=np.int32) for i in ids])
    owner = np.concatenate([np.full(len(inputs[i]), i, dtype=np.int64) for i in ids])
    return x, y, owner


def musicnn_inference_model(backbone: keras.Model, head: keras.Model) -> keras.Model:
    """Backbone and head as one model: segments in; genre, embedding and tags out."""
    patches = keras.Input(shape=backbone.input_shape[1:], name="log_mel")
    features = backbone(patches)
    head_outputs = build_embedding_extractor(head)(features["pooled"])
    return keras.Model(
        patches,
        {
            "genre": head_outputs["genre"],
            "embedding": head_outputs["embedding"],
            "tags": features["tags"],
        },
        name="musicnn_genre",
    )


@dataclass(frozen=True)
class PreparedData:
    """The labelled songs as model inputs: one array of segments (or features) per song id."""

    class_names: list[str]
    labels: dict[int, int]  # song id -> class index
    segments: dict[int, np.ndarray]  # song id -> (n, *params.input_shape) log-mel segments
    inputs: dict[int, np.ndarray]  # what the trainable model takes: segments or backbone features
    backbone: keras.Model | None


@dataclass(frozen=True)
class FittedModel:
    inference_model: keras.Model  # segments in; "genre", "embedding" (and "tags") out
    fit: FitResult
    segments_seen: dict[str, int]


def feature_params_for(architecture: Architecture | str) -> FeatureParams:
    """The frozen feature parameters an architecture is trained and run with."""
    return FEATURE_PRESETS[Architecture(architecture)]


def train(
    *,
    songs: Sequence[LabelledSong],
    options: TrainingOptions,
    artifact_dir: Path,
    log: Log = logger.info,
) -> TrainingOutcome:
    """Split, featurise, fit, evaluate once on test, save `artifact_dir/model.keras` + sidecar."""
    class_names = _check_labels(songs, options)
    params = feature_params_for(options.architecture)
    split = split_by_song(
        song_ids=[s.id for s in songs], labels=[s.genre for s in songs], seed=options.seed,
        validation_fraction=options.validation_fraction, test_fraction=options.test_fraction,
    )  # fmt: skip
    log(
        f"{len(songs)} songs in {len(class_names)} genres; split by song: "
        f"{len(split.train)} train, {len(split.validation)} validation, {len(split.test)} test"
    )
    data = _prepare(songs, class_names, options, params, log)
    fitted = _fit(data, options, train_ids=split.train, validation_ids=split.validation, log=log)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    fitted.inference_model.save(artifact_dir / MODEL_FILENAME)
    tag_names = list(MSD_TAGS) if data.backbone is not None else []
    metrics = _score_saved_model(artifact_dir, data, params, tag_names, test_ids=split.test)
    save_confusion_matrix_png(
        matrix=np.asarray(metrics.confusion_matrix), class_names=class_names,
        path=artifact_dir / CONFUSION_FILENAME,
    )  # fmt: skip
    sidecar = ModelSidecar(
        architecture=str(options.architecture),
        class_names=class_names,
        feature_params=params.to_dict(),
        data_fingerprint=data_fingerprint(songs, params),
        tag_names=tag_names,
        split=split.to_dict(),
        split_sizes={name: len(ids) for name, ids in split.to_dict().items()},
        metrics={"test": metrics.to_dict()},
        training={
            "options": asdict(options),
            "epochs": options.resolved_epochs(),
            "patience": options.resolved_patience(),
            "best_epoch": fitted.fit.best_epoch,
            "epochs_run": fitted.fit.epochs_run,
            "history": fitted.fit.history,
            "segments": {**fitted.segments_seen, "test": metrics.n_segments},
        },
        keras_version=keras.__version__,
        keras_backend=keras.backend.backend(),
        created_at=datetime.now(UTC).isoformat(),
    )
    write_sidecar(artifact_dir, sidecar)
    log(metrics.summary())
    return TrainingOutcome(
        artifact_dir=artifact_dir, class_names=class_names, params=params, metrics=metrics,
        sidecar=sidecar,
    )  # fmt: skip


def _check_labels(songs: Sequence[LabelledSong], options: TrainingOptions) -> list[str]:
    """The sorted class names; raises TrainingDataError saying what to change."""
    if options.architecture not in Architecture.values:
        raise TrainingDataError(
            f"Unknown architecture {options.architecture!r}; "
            f"choose one of {', '.join(Architecture.values)}."
        )
    if not songs:
        raise TrainingDataError(
            "No labelled songs to train on. Import some with `manage.py import_dataset ROOT` "
            "(ROOT/<genre>/<file>) or create the demo library with `manage.py make_demo_library`."
        )
    class_names = sorted({song.genre for song in songs})
    if len(class_names) < 2:
        raise TrainingDataError(
            f"Only one genre ({class_names[0]!r}) is labelled; a classifier needs at least two."
        )
    return class_names


def _prepare(
    songs: Sequence[LabelledSong],
    class_names: list[str],
    options: TrainingOptions,
    params: FeatureParams,
    log: Log,
) -> PreparedData:
    """Segments for every song and, for the frozen backbone, its cached pooled features."""
    # After the data checks, so that a labelling problem is reported before a missing download.
    backbone = load_musicnn_backbone() if options.architecture == Architecture.MUSICNN else None
    segments = _segments_by_song(songs, params, log)
    inputs = segments
    if backbone is not None and not options.fine_tune:
        inputs = _backbone_features(songs, segments, params, backbone, log)
    return PreparedData(
        class_names=class_names,
        labels={song.id: class_names.index(song.genre) for song in songs},
        segments=segments,
        inputs=inputs,
        backbone=backbone,
    )


def _fit(
    data: PreparedData,
    options: TrainingOptions,
    *,
    train_ids: Sequence[int],
    validation_ids: Sequence[int],
    log: Log,
) -> FittedModel:
    """Build the trainable model, fit it with early stopping on the validation songs."""
    keras.utils.set_random_seed(options.seed)
    x_train, y_train, _ = _stack(train_ids, data.inputs, data.labels)
    x_val, y_val, _ = _stack(validation_ids, data.inputs, data.labels)
    trainable, to_inference = _build_trainable(data, options, x_train)
    mode = " (fine-tuning the backbone)" if options.fine_tune else ""
    log(
        f"training {options.architecture}{mode} on {len(x_train)} segments, "
        f"validating on {len(x_val)}"
    )
    fit = fit_classifier(
        model=trainable, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
        epochs=options.resolved_epochs(), batch_size=options.batch_size,
        learning_rate=options.learning_rate, patience=options.resolved_patience(),
        seed=options.seed, verbose=options.verbose,
    )  # fmt: skip
    log(f"best epoch {fit.best_epoch} of {fit.epochs_run} (chosen on validation songs)")
    return FittedModel(
        inference_model=to_inference(),
        fit=fit,
        segments_seen={"train": len(x_train), "validation": len(x_val)},
    )


def _build_trainable(
    data: PreparedData, options: TrainingOptions, x_train: np.ndarray
) -> tuple[keras.Model, Callable[[], keras.Model]]:
    """(the model the optimiser trains, a function giving the inference model once trained)."""
    num_classes = len(data.class_names)
    backbone = data.backbone
    if backbone is None:
        params = feature_params_for(options.architecture)
        cnn = build_seed_cnn(num_classes=num_classes, input_shape=params.input_shape)
        return cnn, lambda: build_embedding_extractor(cnn)
    if not options.fine_tune:
        head = build_genre_head(
            input_dim=POOLED_DIM, num_classes=num_classes, train_features=x_train
        )
        return head, lambda: musicnn_inference_model(backbone, head)
    train_pooled = keras.ops.convert_to_numpy(backbone.predict(x_train, verbose=0)["pooled"])
    for layer in backbone.layers:
        # Batch-norm statistics from a million songs beat those of a few hundred segments;
        # the tag branch after "pooled" plays no part in the genre loss.
        if isinstance(layer, keras.layers.BatchNormalization) or layer.name in TAG_BRANCH:
            layer.trainable = False
    head = build_genre_head(
        input_dim=POOLED_DIM, num_classes=num_classes, train_features=train_pooled
    )
    combined = musicnn_inference_model(backbone, head)
    trainable = keras.Model(combined.input, combined.output["genre"], name="musicnn_finetune")
    return trainable, lambda: musicnn_inference_model(backbone, head)


def _score_saved_model(
    artifact_dir: Path,
    data: PreparedData,
    params: FeatureParams,
    tag_names: list[str],
    *,
    test_ids: Sequence[int],
) -> Metrics:
    """The test songs, once, through the saved artifact exactly as the worker will load it."""
    predictor = Predictor.load_model_file(
        artifact_dir / MODEL_FILENAME, class_names=data.class_names, params=params,
        tag_names=tag_names,
    )  # fmt: skip
    x_test, _, test_owner = _stack(test_ids, data.segments, data.labels)
    outputs = predictor.segment_outputs(x_test)
    return evaluate_tracks(
        probabilities=outputs["genre"], segment_song_ids=test_owner,
        song_labels={i: data.labels[i] for i in test_ids}, class_names=data.class_names,
    )  # fmt: skip
