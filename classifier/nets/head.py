"""The 128-d genre head shared by every backbone, and the embedding extractor built from it.

The head turns a feature vector from a frozen backbone (musicnn's pooled (1506,) or penultimate
(200,) features) into genre probabilities, through a layer named "embedding" whose output is the
vector Timbre compares songs with.
"""

from __future__ import annotations

import keras
import numpy as np

FEATURE_NORM_LAYER = "feature_norm"


def build_genre_head(
    *,
    input_dim: int,
    num_classes: int,
    embedding_dim: int = 128,
    dropout: float = 0.5,
    train_features: np.ndarray | None = None,
    weight_decay: float = 1e-3,
    input_dropout: float = 0.1,
) -> keras.Model:
    """Build the genre head over backbone features.

    Input: (batch, input_dim) float32 features. Output: (batch, num_classes) probabilities from
    the layer named "genre"; the layer named "embedding" gives (batch, embedding_dim).

    The input is standardised per feature by a Normalization layer (named "feature_norm")
    whose mean and variance are saved with the model, so inference needs no separate scaler.
    Pass `train_features` (n, input_dim), the training split only, to adapt it here, or call
    `adapt_feature_normalization` before training; left unadapted it is the identity.
    `weight_decay` is an L2 penalty on both dense kernels and `input_dropout` drops feature
    dimensions: with a few hundred training segments and over a thousand features the head
    overfits without them.
    """
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    regularizer = keras.regularizers.L2(weight_decay) if weight_decay > 0 else None
    inputs = keras.Input(shape=(input_dim,), name="features")
    x = keras.layers.Normalization(axis=-1, name=FEATURE_NORM_LAYER)(inputs)
    if input_dropout > 0:
        x = keras.layers.Dropout(input_dropout, name="input_dropout")(x)
    embedding = keras.layers.Dense(
        embedding_dim, activation="elu", kernel_regularizer=regularizer, name="embedding"
    )(x)
    x = keras.layers.Dropout(dropout, name="dropout")(embedding)
    outputs = keras.layers.Dense(
        num_classes, activation="softmax", kernel_regularizer=regularizer, name="genre"
    )(x)
    model = keras.Model(inputs, outputs, name="genre_head")
    if train_features is not None:
        adapt_feature_normalization(model, train_features)
    return model


def adapt_feature_normalization(model: keras.Model, train_features: np.ndarray) -> None:
    """Set the head's input mean and variance from training features (n, input_dim).

    Only the training split should be passed: statistics from validation or test songs would
    leak them into the model.
    """
    features = np.asarray(train_features, dtype=np.float32)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(
            f"train_features must be a (n, input_dim) array with n >= 2, got {features.shape}"
        )
    if not np.all(np.isfinite(features)):
        raise ValueError("train_features contains NaN or infinite values")
    model.get_layer(FEATURE_NORM_LAYER).adapt(features)


def build_embedding_extractor(model: keras.Model) -> keras.Model:
    """Wrap a genre model so one forward pass gives probabilities and embeddings.

    Works for any model with layers named "genre" and "embedding" (the seed CNN, the head).
    Output: {"genre": (batch, num_classes), "embedding": (batch, embedding_dim)}; dropout is
    inactive at inference, so the embedding is deterministic.
    """
    return keras.Model(
        inputs=model.input,
        outputs={
            "genre": model.get_layer("genre").output,
            "embedding": model.get_layer("embedding").output,
        },
        name=f"{model.name}_extractor",
    )
