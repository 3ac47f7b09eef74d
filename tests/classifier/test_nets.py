"""The genre networks: the reference CNN's shape, the head, saving and the embedding extractor."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from classifier.inference import track_embedding
from classifier.nets.head import build_embedding_extractor, build_genre_head
from classifier.nets.seed import build_seed_cnn


@pytest.fixture(scope="module")
def seed_cnn() -> keras.Model:
    keras.utils.set_random_seed(0)
    return build_seed_cnn(num_classes=10)


def _head(rng: np.random.Generator) -> tuple[keras.Model, np.ndarray]:
    # Features far from zero mean and unit scale, like musicnn's, so the normalisation matters.
    features = (rng.normal(5.0, 3.0, size=(40, 24))).astype(np.float32)
    keras.utils.set_random_seed(0)
    return build_genre_head(input_dim=24, num_classes=4, train_features=features), features


def test_seed_cnn_matches_reference_architecture(seed_cnn: keras.Model) -> None:
    assert seed_cnn.count_params() == 1_813_386
    pooled = [tuple(seed_cnn.get_layer(f"pool{i}").output.shape) for i in range(1, 5)]
    assert pooled == [
        (None, 128, 128, 64),
        (None, 32, 32, 128),
        (None, 8, 8, 256),
        (None, 2, 2, 512),
    ]
    assert tuple(seed_cnn.get_layer("embedding").output.shape) == (None, 128)
    assert tuple(seed_cnn.output.shape) == (None, 10)


def test_seed_cnn_survives_save_and_load(seed_cnn: keras.Model, tmp_path) -> None:
    images = np.random.default_rng(1).normal(size=(2, 256, 256, 1)).astype(np.float32)
    before = seed_cnn.predict(images, verbose=0)
    np.testing.assert_allclose(before.sum(axis=1), 1.0, rtol=1e-5)

    seed_cnn.save(tmp_path / "seed.keras")
    after = keras.models.load_model(tmp_path / "seed.keras").predict(images, verbose=0)

    np.testing.assert_array_equal(after, before)


def test_head_survives_save_and_load_with_its_normalisation(tmp_path) -> None:
    rng = np.random.default_rng(2)
    head, features = _head(rng)
    before = head.predict(features[:8], verbose=0)

    head.save(tmp_path / "head.keras")
    loaded = keras.models.load_model(tmp_path / "head.keras")

    np.testing.assert_array_equal(loaded.predict(features[:8], verbose=0), before)
    # The saved statistics are those of the training features, not an identity default.
    normalised = loaded.get_layer("feature_norm")(features)
    np.testing.assert_allclose(np.mean(normalised, axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(np.std(normalised, axis=0), 1.0, atol=1e-3)


def test_embedding_extractor_gives_probabilities_and_unit_track_embedding() -> None:
    rng = np.random.default_rng(3)
    head, features = _head(rng)
    extractor = build_embedding_extractor(head)

    outputs = extractor.predict(features[:5], verbose=0)

    assert outputs["embedding"].shape == (5, 128)
    np.testing.assert_allclose(outputs["genre"], head.predict(features[:5], verbose=0), rtol=1e-6)
    vector = track_embedding(outputs["embedding"])
    assert vector.shape == (128,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)


def test_seed_cnn_extractor_embeds_each_segment(seed_cnn: keras.Model) -> None:
    images = np.random.default_rng(4).normal(size=(2, 256, 256, 1)).astype(np.float32)

    outputs = build_embedding_extractor(seed_cnn).predict(images, verbose=0)

    assert outputs["embedding"].shape == (2, 128)
    assert outputs["genre"].shape == (2, 10)
