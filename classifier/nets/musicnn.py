"""Keras 3 port of the pretrained musicnn network (Pons & Serra 2019), MSD tagger.

The graph follows the paper and the checkpoint shipped in the `musicnn==0.1.0` wheel (ISC
licence); its weights are converted once by `classifier.weights`.

- Front end: batch-normalised log-mel patch (187 frames x 96 bands), then
  *timbral* filters (7 frames x 38 and x 67 bands, 204 each) and *temporal* filters
  (128, 64 and 32 frames x 1 band, 51 each), every map max-pooled over frequency:
  (B, 187, 408) + (B, 187, 153) = (B, 187, 561).
- Mid end: three 1-D convolutions over time (7 frames, 64 filters) with residual connections;
  the front-end output and the three mid-end maps are stacked: (B, 187, 753).
- Back end: mean and max over time (B, 1506), batch norm, Dense(200, relu) + batch norm
  (the "penultimate" features), Dense(50, sigmoid) MSD tag scores.

Every layer is a stock Keras layer, so the model is backend-neutral and saves as `.keras`
without custom objects.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from classifier.nets.weights_file import MissingWeightsError, musicnn_weights_path

PATCH_FRAMES = 187
N_MELS = 96
INPUT_SHAPE = (PATCH_FRAMES, N_MELS)
MIDEND_CHANNELS = 753
POOLED_DIM = 2 * MIDEND_CHANNELS
PENULTIMATE_DIM = 200

# The 50 Million Song Dataset tags in the checkpoint's output order (musicnn's MSD_LABELS).
MSD_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill",
    "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country",
    "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "Progressive rock",
    "60s", "rnb", "indie pop", "sad", "House", "happy",
)  # fmt: skip

# The original uses TF1 batch-norm defaults; Keras' defaults are the same, spelled out so a
# change of Keras default cannot silently shift the converted statistics.
_BN_EPSILON = 1e-3

# (bands, filters) of the timbral filters: 0.4 and 0.7 of the 96 mel bands, 1.6 x 128 filters.
TIMBRAL_FILTERS: tuple[tuple[int, int], ...] = ((38, 204), (67, 204))
# (frames, filters) of the temporal filters: 1.6 x 32 filters.
TEMPORAL_FILTERS: tuple[tuple[int, int], ...] = ((128, 51), (64, 51), (32, 51))
_TIMBRAL_FRAMES = 7
_MIDEND_FILTERS = 64
_MIDEND_FRAMES = 7


def _batch_norm(name: str) -> keras.layers.BatchNormalization:
    return keras.layers.BatchNormalization(epsilon=_BN_EPSILON, name=name)


def _max_over_frequency(x: keras.KerasTensor, *, name: str) -> keras.KerasTensor:
    """(B, T, F, C) -> (B, T, C): the front end keeps only the strongest band per filter."""
    bands, channels = x.shape[2], x.shape[3]
    x = keras.layers.MaxPooling2D(pool_size=(1, bands), name=f"{name}_pool")(x)
    return keras.layers.Reshape((-1, channels), name=f"{name}_squeeze")(x)


def _timbral_branch(x: keras.KerasTensor, *, bands: int, filters: int) -> keras.KerasTensor:
    """(B, T, 96, 1) -> (B, T, filters), 'same' in time, 'valid' in frequency."""
    name = f"timbral_{bands}"
    pad = _TIMBRAL_FRAMES // 2
    x = keras.layers.ZeroPadding2D(((pad, pad), (0, 0)), name=f"{name}_pad")(x)
    x = keras.layers.Conv2D(
        filters, (_TIMBRAL_FRAMES, bands), activation="relu", name=f"{name}_conv"
    )(x)
    x = _batch_norm(f"{name}_bn")(x)
    return _max_over_frequency(x, name=name)


def _temporal_branch(x: keras.KerasTensor, *, frames: int, filters: int) -> keras.KerasTensor:
    """(B, T, 96, 1) -> (B, T, filters).

    TF's 'same' padding puts the extra frame of an even kernel after the signal; padding
    explicitly keeps that on every backend.
    """
    name = f"temporal_{frames}"
    before = (frames - 1) // 2
    after = frames - 1 - before
    x = keras.layers.ZeroPadding2D(((before, after), (0, 0)), name=f"{name}_pad")(x)
    x = keras.layers.Conv2D(filters, (frames, 1), activation="relu", name=f"{name}_conv")(x)
    x = _batch_norm(f"{name}_bn")(x)
    return _max_over_frequency(x, name=name)


def _midend_conv(x: keras.KerasTensor, *, index: int) -> keras.KerasTensor:
    """(B, T, C) -> (B, T, 64): a 7-frame convolution over time, batch-normalised."""
    x = keras.layers.Conv1D(
        _MIDEND_FILTERS,
        _MIDEND_FRAMES,
        padding="same",  # odd kernel: symmetric zero padding, as in the original
        activation="relu",
        name=f"midend_conv{index}",
    )(x)
    return _batch_norm(f"midend_bn{index}")(x)


def build_musicnn_backbone() -> keras.Model:
    """Build the musicnn MSD network (untrained weights; see `load_musicnn_backbone`).

    Input: (B, 187, 96) float32 log-mel patches, `log10(1 + 10000 * mel power)`, frames x bands.
    Outputs (dict):
      - "pooled": (B, 1506) mid-end features pooled over time, `[mean (753) | max (753)]`.
      - "penultimate": (B, 200) batch-normalised Dense(200, relu) features.
      - "tags": (B, 50) sigmoid scores for `MSD_TAGS`.
    Layers "timbral" (B, 187, 408), "temporal" (B, 187, 153), "cnn1", "cnn2" and "cnn3"
    (B, 187, 64) expose the activations that musicnn's own extractor reports.
    """
    patches = keras.Input(shape=INPUT_SHAPE, name="log_mel")
    x = keras.layers.Reshape((*INPUT_SHAPE, 1), name="add_channel")(patches)
    # A single-channel batch norm: one learnt scale and shift for the whole spectrogram.
    x = _batch_norm("input_bn")(x)

    timbral = keras.layers.Concatenate(name="timbral")(
        [_timbral_branch(x, bands=b, filters=f) for b, f in TIMBRAL_FILTERS]
    )
    temporal = keras.layers.Concatenate(name="temporal")(
        [_temporal_branch(x, frames=t, filters=f) for t, f in TEMPORAL_FILTERS]
    )
    front = keras.layers.Concatenate(name="frontend")([timbral, temporal])

    cnn1 = keras.layers.Identity(name="cnn1")(_midend_conv(front, index=1))
    cnn2 = keras.layers.Add(name="cnn2")([_midend_conv(cnn1, index=2), cnn1])
    cnn3 = keras.layers.Add(name="cnn3")([_midend_conv(cnn2, index=3), cnn2])
    # Dense connections: the back end sees the front end and every mid-end layer.
    midend = keras.layers.Concatenate(name="midend")([front, cnn1, cnn2, cnn3])

    mean_pool = keras.layers.GlobalAveragePooling1D(name="mean_pool")(midend)
    max_pool = keras.layers.GlobalMaxPooling1D(name="max_pool")(midend)
    pooled = keras.layers.Concatenate(name="pooled")([mean_pool, max_pool])

    x = _batch_norm("pooled_bn")(pooled)
    x = keras.layers.Dropout(0.5, name="pooled_dropout")(x)
    x = keras.layers.Dense(PENULTIMATE_DIM, activation="relu", name="penultimate_dense")(x)
    penultimate = _batch_norm("penultimate")(x)
    x = keras.layers.Dropout(0.5, name="penultimate_dropout")(penultimate)
    tags = keras.layers.Dense(len(MSD_TAGS), activation="sigmoid", name="tags")(x)

    return keras.Model(
        inputs=patches,
        outputs={"pooled": pooled, "penultimate": penultimate, "tags": tags},
        name="musicnn_msd",
    )


def pooled_features(
    backbone: keras.Model, patches: np.ndarray, *, batch_size: int = 32
) -> np.ndarray:
    """The backbone's "pooled" features for patches (n, 187, 96): (n, POOLED_DIM) float32.

    `predict_on_batch` in fixed batches: `predict` per song retraces and is slower for the few
    patches a song has.
    """
    batches = [
        keras.ops.convert_to_numpy(backbone.predict_on_batch(patches[i : i + batch_size])["pooled"])
        for i in range(0, len(patches), batch_size)
    ]
    return np.concatenate(batches) if batches else np.zeros((0, POOLED_DIM), np.float32)


def pooled_to_penultimate(backbone: keras.Model) -> keras.Model:
    """The backbone's layers from "pooled" (B, POOLED_DIM) to "penultimate" (B, 200).

    Cached pooled features become penultimate ones without running the convolutions again;
    dropout is inactive at inference, so the result equals the backbone's own output.
    """
    pooled = keras.Input(shape=(POOLED_DIM,), name="pooled_features")
    x = backbone.get_layer("pooled_bn")(pooled)
    x = backbone.get_layer("penultimate_dense")(x)
    return keras.Model(pooled, backbone.get_layer("penultimate")(x), name="pooled_to_penultimate")


def load_musicnn_weights(model: keras.Model, path: str | Path | None = None) -> keras.Model:
    """Load converted MSD weights into a model from `build_musicnn_backbone`.

    Raises MissingWeightsError when the weights file has not been made yet.
    """
    path = _existing_weights(path)
    model.load_weights(path)
    return model


def load_musicnn_backbone(weights_path: str | Path | None = None) -> keras.Model:
    """The pretrained musicnn MSD network, ready for inference (see `build_musicnn_backbone`).

    Raises MissingWeightsError, before building anything, when the weights are missing.
    """
    path = _existing_weights(weights_path)
    return load_musicnn_weights(build_musicnn_backbone(), path)


def _existing_weights(path: str | Path | None) -> Path:
    path = Path(path) if path is not None else musicnn_weights_path()
    if not path.is_file():
        raise MissingWeightsError(path)
    return path
