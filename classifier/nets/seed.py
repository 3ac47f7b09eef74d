"""The reference genre CNN ("seed" architecture) over 256x256 log-mel images.

Reproduces the network of the design Timbre started from: four 3x3 convolutions (64, 128, 256,
512 filters, ELU), each followed by max-pooling (2x2/2, then 4x4/4 three times), a 128-unit ELU
embedding, dropout and a softmax over genres. Its training flaws (image-level split, optimiser
steps on test batches, checkpoints chosen on test accuracy) live in how it was trained, not in
the network; `classifier.training` trains it properly.
"""

from __future__ import annotations

import keras

SEED_INPUT_SHAPE = (256, 256, 1)  # mel bands x frames x 1 channel
_FILTERS = (64, 128, 256, 512)
_POOLS = (2, 4, 4, 4)


def build_seed_cnn(
    *,
    num_classes: int,
    input_shape: tuple[int, ...] = SEED_INPUT_SHAPE,
    embedding_dim: int = 128,
    dropout: float = 0.5,
) -> keras.Model:
    """Build the reference CNN.

    Input: (batch, 256, 256, 1) float32 log-mel image (bands x frames x 1).
    Output: (batch, num_classes) genre probabilities from the layer named "genre"; the layer
    named "embedding" gives the (batch, embedding_dim) vector used for similarity.
    Feature maps after each pool for the default input: 128x128x64, 32x32x128, 8x8x256,
    2x2x512. With 10 classes the model has 1,813,386 parameters.
    """
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    inputs = keras.Input(shape=input_shape, name="spectrogram")
    # The seed features are in dB, about -100 (floor) to +50; ELU nets train badly on inputs that
    # large. A fixed rescale to about [-1, 2] adds no parameters, so the design's count holds.
    x = keras.layers.Rescaling(1 / 50, offset=1.0, name="db_scale")(inputs)
    for index, (filters, pool) in enumerate(zip(_FILTERS, _POOLS, strict=True), start=1):
        x = keras.layers.Conv2D(
            filters, 3, strides=1, padding="same", activation="elu", name=f"conv{index}"
        )(x)
        x = keras.layers.MaxPooling2D(pool, strides=pool, padding="same", name=f"pool{index}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    embedding = keras.layers.Dense(embedding_dim, activation="elu", name="embedding")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(embedding)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="genre")(x)
    return keras.Model(inputs, outputs, name="seed_cnn")
