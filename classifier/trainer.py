"""Train a genre model on labelled songs and write it as a versioned artifact.

The protocol keeps the reported numbers honest and uses every label for the model people get:
- quality comes from k-fold cross-validation grouped by artist (`classifier.crossval`): each fold
  trains on the other artists' songs, picks its best epoch on a validation part of them, and is
  scored on the held-out artists' songs; the folds also fit the probability temperature and the
  "unsure" threshold;
- the final model is then trained on every labelled song, for the median of the folds' best
  epoch counts, and saved with the cross-validated figures in its sidecar.

Architectures:
- "musicnn" (default): the pretrained musicnn network, frozen, computes its 200-d penultimate
  features per segment (from pooled features cached on disk); the 128-d genre head is trained on
  them. In cross-validation grouped by artist they beat the 1,506-d pooled features on accuracy
  at equal neighbour purity (bench/classifier_cv.py). `fine_tune` trains the whole
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
from django.conf import settings

from audio.features import MUSICNN, SEED, FeatureParams
from classifier import feature_cache
from classifier.architectures import Architecture
from classifier.artifacts import (
    CONFUSION_FILENAME,
    MODEL_FILENAME,
    MUSIC_REFERENCE_FILENAME,
    ModelSidecar,
    write_sidecar,
)
from classifier.crossval import (
    DEFAULT_FOLDS,
    CrossValidation,
    FoldResult,
    GroupedFolds,
    group_key,
    grouped_folds,
    neighbour_purity,
    similarity_matrix,
    summarise,
)
from classifier.nets.head import build_embedding_extractor, build_genre_head
from classifier.nets.musicnn import (
    MSD_TAGS,
    PENULTIMATE_DIM,
    load_musicnn_backbone,
    pooled_features,
    pooled_to_penultimate,
)
from classifier.nets.seed import build_seed_cnn
from classifier.nonmusic import NEIGHBOURS, MusicReference
from classifier.training import (
    MIN_SONGS_PER_GENRE,
    FitResult,
    TrainingDataError,
    fit_classifier,
    save_confusion_matrix_png,
    track_probabilities,
)

logger = logging.getLogger(__name__)

# Each architecture's input; a preset's name is its architecture's value.
FEATURE_PRESETS: dict[Architecture, FeatureParams] = {
    Architecture.MUSICNN: MUSICNN,
    Architecture.SEED: SEED,
}
MUSICNN_BACKBONE_KEY = "msd-pooled"
TAG_BRANCH = ("tags",)
VALIDATION_FRACTION = 0.15  # of a fold's training songs, for its early stopping

Log = Callable[[str], None]


@dataclass(frozen=True)
class LabelledSong:
    """What training needs of a song, detached from the ORM."""

    id: int
    sha256: str
    audio_path: Path
    genre: str
    artist: str = ""
    album: str = ""


@dataclass(frozen=True)
class TrainingOptions:
    architecture: Architecture = Architecture.MUSICNN
    epochs: int | None = None  # None: the architecture's default
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 0
    fine_tune: bool = False
    patience: int | None = None
    folds: int = DEFAULT_FOLDS
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
    cross_validation: CrossValidation
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
    head_outputs = build_embedding_extractor(head)(features["penultimate"])
    return keras.Model(
        patches,
        {
            "genre": head_outputs["genre"],
            "embedding": head_outputs["embedding"],
            "tags": features["tags"],
            "penultimate": features["penultimate"],  # for the not-music detector
        },
        name="musicnn_genre",
    )


@dataclass(frozen=True)
class PreparedData:
    """The labelled songs as model inputs: one array of segments (or features) per song id."""

    class_names: list[str]
    ids: list[int]  # song ids, in the order of `labels_array`
    labels: dict[int, int]  # song id -> class index
    groups: list[str]  # per song in `ids`: artist, else album, else the song
    segments: dict[int, np.ndarray]  # song id -> (n, *params.input_shape) log-mel segments
    inputs: dict[int, np.ndarray]  # what the trainable model takes: segments or backbone features
    backbone: keras.Model | None

    @property
    def labels_array(self) -> np.ndarray:
        return np.array([self.labels[i] for i in self.ids])


@dataclass(frozen=True)
class FittedModel:
    inference_model: Callable[[], keras.Model]  # segments in; "genre", "embedding" ("tags") out
    on_inputs: keras.Model  # `PreparedData.inputs` in; "genre" and "embedding" out
    fit: FitResult


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
    """Cross-validate by artist, fit on every song, save `artifact_dir/model.keras` + sidecar."""
    class_names = _check_labels(songs, options)
    params = feature_params_for(options.architecture)
    data = _prepare(songs, class_names, options, params, log)
    folds = grouped_folds(
        labels=data.labels_array, groups=data.groups, n_folds=options.folds, seed=options.seed
    )
    cv = cross_validate(data, folds, options, log=log)
    log(cv.summary())

    epochs = max(1, int(np.median(cv.best_epochs)))
    log(f"final model: every labelled song ({len(data.ids)}), {epochs} epochs")
    final = _fit(data, options, train_ids=data.ids, validation_ids=None, epochs=epochs, log=log)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    inference_model = final.inference_model()
    inference_model.save(artifact_dir / MODEL_FILENAME)
    reference = _music_reference(data, options, inference_model)
    if reference is not None:
        reference.save(artifact_dir / MUSIC_REFERENCE_FILENAME)
    save_confusion_matrix_png(
        matrix=np.asarray(cv.confusion_matrix), class_names=class_names,
        path=artifact_dir / CONFUSION_FILENAME,
    )  # fmt: skip
    sidecar = ModelSidecar(
        architecture=str(options.architecture),
        class_names=class_names,
        feature_params=params.to_dict(),
        data_fingerprint=data_fingerprint(songs, params),
        tag_names=list(MSD_TAGS) if data.backbone is not None else [],
        split={"train": sorted(data.ids)},
        split_sizes={"train": len(data.ids), "validation": 0, "test": 0},
        metrics=cv.to_metrics(),
        training={
            "options": asdict(options),
            "epochs": epochs,
            "best_epoch": epochs,
            "epochs_run": final.fit.epochs_run,
            "history": final.fit.history,
            "cv_best_epochs": cv.best_epochs,
            "segments": {"train": sum(len(data.inputs[i]) for i in data.ids)},
        },
        calibration={
            "temperature": cv.temperature,
            "unsure_below": cv.unsure_below,
            "not_music_above": reference.threshold if reference is not None else None,
        },
        keras_version=keras.__version__,
        keras_backend=keras.backend.backend(),
        created_at=datetime.now(UTC).isoformat(),
    )
    write_sidecar(artifact_dir, sidecar)
    return TrainingOutcome(
        artifact_dir=artifact_dir, class_names=class_names, params=params, cross_validation=cv,
        sidecar=sidecar,
    )  # fmt: skip


def cross_validate(
    data: PreparedData, folds: GroupedFolds, options: TrainingOptions, *, log: Log
) -> CrossValidation:
    """Fit one model per fold; score its held-out songs and their neighbours among all songs."""
    labels = data.labels_array
    results = []
    for number, (train_index, test_index) in enumerate(folds.folds, start=1):
        train_ids = [data.ids[i] for i in train_index]
        fit_ids, validation_ids = _hold_out(train_ids, data.labels, seed=options.seed + number)
        fitted = _fit(data, options, train_ids=fit_ids, validation_ids=validation_ids, log=log)
        probabilities, embeddings = _track_outputs(fitted.on_inputs, data)
        scores = similarity_matrix(
            embeddings, probabilities, genre_weight=float(settings.RECOMMENDER_GENRE_WEIGHT)
        )
        results.append(
            FoldResult(
                test=test_index,
                probabilities=probabilities[test_index],
                purity=neighbour_purity(scores, labels, queries=test_index),
                best_epoch=fitted.fit.best_epoch,
            )
        )
        accuracy = np.mean(probabilities[test_index].argmax(axis=1) == labels[test_index])
        log(f"fold {number}/{len(folds.folds)}: {len(test_index)} songs, accuracy {accuracy:.3f}")
    return summarise(folds=folds, results=results, labels=labels, class_names=data.class_names)


def _music_reference(
    data: PreparedData, options: TrainingOptions, inference_model: keras.Model
) -> MusicReference | None:
    """The not-music detector: every labelled song's mean penultimate musicnn features."""
    if data.backbone is None or len(data.ids) <= NEIGHBOURS:
        return None
    if options.fine_tune:
        outputs = [
            inference_model.predict(data.segments[i], verbose=0)["penultimate"] for i in data.ids
        ]
    else:
        outputs = [data.inputs[i] for i in data.ids]  # already penultimate features
    return MusicReference.fit(
        np.stack([keras.ops.convert_to_numpy(x).mean(axis=0) for x in outputs])
    )


def _hold_out(
    ids: Sequence[int], labels: dict[int, int], *, seed: int
) -> tuple[list[int], list[int]]:
    """A fold's training songs split for early stopping: a share of each genre with 2+ songs."""
    rng = np.random.default_rng(seed)
    fit, validation = [], []
    for label in sorted({labels[i] for i in ids}):
        members = rng.permutation([i for i in ids if labels[i] == label]).tolist()
        n_validation = round(len(members) * VALIDATION_FRACTION) if len(members) > 1 else 0
        n_validation = max(n_validation, 1 if len(members) > 2 else 0)
        validation += members[:n_validation]
        fit += members[n_validation:]
    return sorted(fit), sorted(validation)


def _track_outputs(model: keras.Model, data: PreparedData) -> tuple[np.ndarray, np.ndarray]:
    """Mean genre probabilities (n_songs, C) and unit mean embeddings (n_songs, D) per song."""
    x, _, owner = _stack(data.ids, data.inputs, data.labels)
    outputs: dict[str, list[np.ndarray]] = {"genre": [], "embedding": []}
    for start in range(0, len(x), 256):
        batch = model.predict_on_batch(x[start : start + 256])
        for name in outputs:
            outputs[name].append(keras.ops.convert_to_numpy(batch[name]))
    songs, probabilities = track_probabilities(np.concatenate(outputs["genre"]), owner)
    _, embeddings = track_probabilities(np.concatenate(outputs["embedding"]), owner)
    order = np.searchsorted(songs, data.ids)
    embeddings = embeddings[order]
    embeddings /= np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    return probabilities[order], embeddings


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
    counts = {name: sum(song.genre == name for song in songs) for name in class_names}
    too_few = sorted(name for name, n in counts.items() if n < MIN_SONGS_PER_GENRE)
    if too_few:
        details = ", ".join(f'"{name}" has {counts[name]}' for name in too_few)
        raise TrainingDataError(
            f"Each genre needs at least {MIN_SONGS_PER_GENRE} songs (to train on some and test "
            f"on others); {details}. Add songs to these genres or remove the label."
        )
    return class_names


def _prepare(
    songs: Sequence[LabelledSong],
    class_names: list[str],
    options: TrainingOptions,
    params: FeatureParams,
    log: Log,
) -> PreparedData:
    """Segments for every song and, for the frozen backbone, its penultimate features (from the
    cached pooled ones)."""
    # After the data checks, so that a labelling problem is reported before a missing download.
    backbone = load_musicnn_backbone() if options.architecture == Architecture.MUSICNN else None
    segments = _segments_by_song(songs, params, log)
    inputs = segments
    if backbone is not None and not options.fine_tune:
        pooled = _backbone_features(songs, segments, params, backbone, log)
        to_penultimate = pooled_to_penultimate(backbone)
        inputs = {
            i: keras.ops.convert_to_numpy(to_penultimate.predict_on_batch(x))
            for i, x in pooled.items()
        }
    ordered = sorted(songs, key=lambda song: song.id)
    return PreparedData(
        class_names=class_names,
        ids=[song.id for song in ordered],
        labels={song.id: class_names.index(song.genre) for song in songs},
        groups=[
            group_key(song_id=song.id, artist=song.artist, album=song.album) for song in ordered
        ],
        segments=segments,
        inputs=inputs,
        backbone=backbone,
    )


def _fit(
    data: PreparedData,
    options: TrainingOptions,
    *,
    train_ids: Sequence[int],
    validation_ids: Sequence[int] | None,
    log: Log,
    epochs: int | None = None,
) -> FittedModel:
    """Build the trainable model and fit it: early stopping on validation songs, if given."""
    keras.utils.set_random_seed(options.seed)
    x_train, y_train, _ = _stack(train_ids, data.inputs, data.labels)
    x_val = y_val = None
    if validation_ids:
        x_val, y_val, _ = _stack(validation_ids, data.inputs, data.labels)
    trainable, to_inference, on_inputs = _build_trainable(data, options, x_train)
    fit = fit_classifier(
        model=trainable, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
        epochs=epochs or options.resolved_epochs(), batch_size=options.batch_size,
        learning_rate=options.learning_rate, patience=options.resolved_patience(),
        seed=options.seed, verbose=options.verbose,
    )  # fmt: skip
    return FittedModel(inference_model=to_inference, on_inputs=on_inputs, fit=fit)


def _build_trainable(
    data: PreparedData, options: TrainingOptions, x_train: np.ndarray
) -> tuple[keras.Model, Callable[[], keras.Model], keras.Model]:
    """(the model the optimiser trains, its inference model once trained, its outputs on inputs)."""
    num_classes = len(data.class_names)
    backbone = data.backbone
    if backbone is None:
        params = feature_params_for(options.architecture)
        cnn = build_seed_cnn(num_classes=num_classes, input_shape=params.input_shape)
        extractor = build_embedding_extractor(cnn)
        return cnn, lambda: extractor, extractor
    if not options.fine_tune:
        head = build_genre_head(
            input_dim=PENULTIMATE_DIM, num_classes=num_classes, train_features=x_train
        )
        extractor = build_embedding_extractor(head)
        return head, lambda: musicnn_inference_model(backbone, head), extractor
    train_penultimate = keras.ops.convert_to_numpy(
        backbone.predict(x_train, verbose=0)["penultimate"]
    )
    for layer in backbone.layers:
        # Batch-norm statistics from a million songs beat those of a few hundred segments;
        # the tag output plays no part in the genre loss.
        if isinstance(layer, keras.layers.BatchNormalization) or layer.name in TAG_BRANCH:
            layer.trainable = False
    head = build_genre_head(
        input_dim=PENULTIMATE_DIM, num_classes=num_classes, train_features=train_penultimate
    )
    combined = musicnn_inference_model(backbone, head)
    trainable = keras.Model(combined.input, combined.output["genre"], name="musicnn_finetune")
    return trainable, lambda: combined, combined
