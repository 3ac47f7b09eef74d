"""Song-level cross-validation of Timbre's genre models on a labelled GTZAN-style folder.

    .venv/bin/python bench/classifier_cv.py --data ../shared/data/gtzan-dev --folds 5

Rows (one run, same folds for every row):
- musicnn head: the production model (frozen pretrained musicnn, pooled features, 128-d head),
  trained with early stopping on a validation split carved from the training songs;
- musicnn + logistic regression: the same frozen features, plain logistic regression;
- handcrafted + logistic regression: MFCC, chroma, spectral statistics and tempo per track;
- seed: the reference CNN from scratch (slow on a CPU: `--seed-epochs`, `--seed-folds`).

Each row: test track accuracy mean ± standard deviation over folds, mean fitting time per fold
(features are computed once and cached, not counted) and inference throughput in 3-s segments
per second from decoded audio to genre probabilities, features included.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timbre.settings")
os.environ.setdefault("DEBUG", "1")  # settings only; the benchmark touches no database
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import django

django.setup()

import keras
import librosa
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from audio.decode import load_audio
from audio.features import MUSICNN, SEED, file_segments
from classifier import feature_cache
from classifier.nets.head import build_genre_head
from classifier.nets.musicnn import POOLED_DIM, load_musicnn_backbone, pooled_features
from classifier.nets.seed import build_seed_cnn
from classifier.trainer import MUSICNN_BACKBONE_KEY
from classifier.training import fit_classifier, track_probabilities


@dataclass
class Track:
    path: Path
    genre: int
    sha256: str


@dataclass
class RowResult:
    name: str
    accuracies: list[float]
    fit_seconds: list[float]
    segments_per_second: float
    note: str = ""

    def line(self) -> str:
        acc = np.asarray(self.accuracies)
        return (
            f"| {self.name} | {acc.mean():.3f} ± {acc.std():.3f} ({len(acc)} folds) | "
            f"{np.mean(self.fit_seconds):.1f} s | {self.segments_per_second:.1f} | {self.note} |"
        )


def load_tracks(root: Path) -> tuple[list[Track], list[str]]:
    genres = sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    tracks = []
    for index, genre in enumerate(genres):
        for path in sorted((root / genre).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                tracks.append(Track(path=path, genre=index, sha256=digest))
    return tracks, genres


def track_accuracy(probabilities: np.ndarray, owners: np.ndarray, labels: dict[int, int]) -> float:
    songs, per_track = track_probabilities(probabilities, owners)
    truth = np.array([labels[int(s)] for s in songs])
    return float(np.mean(per_track.argmax(axis=1) == truth))


def stack(
    indices: np.ndarray, inputs: dict[int, np.ndarray], tracks: list[Track]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.concatenate([inputs[i] for i in indices])
    y = np.concatenate([np.full(len(inputs[i]), tracks[i].genre) for i in indices])
    owners = np.concatenate([np.full(len(inputs[i]), i) for i in indices])
    return x, y, owners


def split_validation(
    train_val: np.ndarray, tracks: list[Track], *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A fold's training songs split again, stratified, 85/15, for early stopping."""
    train, val = train_test_split(
        train_val, test_size=0.15, stratify=[tracks[i].genre for i in train_val], random_state=seed
    )
    return train, val


def throughput(process: Callable[[Path], int], paths: list[Path]) -> float:
    """3-s segments per second, decoded audio to probabilities."""
    start = time.perf_counter()
    segments = sum(process(p) for p in paths)
    return segments / (time.perf_counter() - start)


def handcrafted(path: Path) -> np.ndarray:
    audio = load_audio(path, sample_rate=22050)
    y = np.concatenate(audio.windows)
    sr = 22050
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    chroma = librosa.feature.chroma_stft(y=y, sr=sr)
    centroid = librosa.feature.spectral_centroid(y=y, sr=sr)
    bandwidth = librosa.feature.spectral_bandwidth(y=y, sr=sr)
    rolloff = librosa.feature.spectral_rolloff(y=y, sr=sr)
    zcr = librosa.feature.zero_crossing_rate(y)
    tempo = librosa.feature.tempo(y=y, sr=sr)
    parts = [mfcc, chroma, centroid, bandwidth, rolloff, zcr]
    stats = [np.concatenate([p.mean(axis=1), p.std(axis=1)]) for p in parts]
    return np.concatenate([*stats, np.atleast_1d(tempo)]).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seed-epochs", type=int, default=2, help="Epochs for the seed CNN.")
    parser.add_argument(
        "--seed-folds", type=int, default=0, help="Folds for the seed CNN (0: skip)."
    )
    args = parser.parse_args()

    tracks, genres = load_tracks(args.data)
    labels = {i: t.genre for i, t in enumerate(tracks)}
    print(
        f"{len(tracks)} tracks, {len(genres)} genres, {args.folds}-fold CV by song, "
        f"Keras backend {keras.backend.backend()}"
    )

    backbone = load_musicnn_backbone()
    t0 = time.perf_counter()
    mel = {
        i: feature_cache.song_segments(audio_path=t.path, sha256=t.sha256, params=MUSICNN)
        for i, t in enumerate(tracks)
    }

    def pooled_for(i: int) -> np.ndarray:
        return feature_cache.song_backbone_features(
            sha256=tracks[i].sha256,
            params=MUSICNN,
            backbone_key=MUSICNN_BACKBONE_KEY,
            compute=lambda: pooled_features(backbone, mel[i]),
        )

    pooled = {i: pooled_for(i) for i in range(len(tracks))}
    hand = {i: handcrafted(t.path)[None, :] for i, t in enumerate(tracks)}
    print(f"features computed or loaded from cache in {time.perf_counter() - t0:.1f} s")

    folds = list(
        StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed).split(
            np.zeros(len(tracks)), [t.genre for t in tracks]
        )
    )
    rows = {
        name: RowResult(name, [], [], 0.0)
        for name in (
            "musicnn head",
            "musicnn + logistic regression",
            "handcrafted + logistic regression",
        )
    }
    heads = []
    for fold, (train_val, test) in enumerate(folds):
        train, val = split_validation(train_val, tracks, seed=args.seed + fold)
        x_tr, y_tr, _ = stack(train, pooled, tracks)
        x_va, y_va, _ = stack(val, pooled, tracks)
        x_te, _, owners = stack(test, pooled, tracks)

        keras.utils.set_random_seed(args.seed + fold)
        start = time.perf_counter()
        head = build_genre_head(input_dim=POOLED_DIM, num_classes=len(genres), train_features=x_tr)
        fit_classifier(
            model=head,
            x_train=x_tr,
            y_train=y_tr,
            x_val=x_va,
            y_val=y_va,
            epochs=200,
            patience=25,
            seed=args.seed + fold,
        )
        rows["musicnn head"].fit_seconds.append(time.perf_counter() - start)
        rows["musicnn head"].accuracies.append(
            track_accuracy(head.predict(x_te, verbose=0), owners, labels)
        )
        heads.append(head)

        x_trv, y_trv, _ = stack(train_val, pooled, tracks)
        start = time.perf_counter()
        lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x_trv, y_trv)
        rows["musicnn + logistic regression"].fit_seconds.append(time.perf_counter() - start)
        rows["musicnn + logistic regression"].accuracies.append(
            track_accuracy(lr.predict_proba(x_te), owners, labels)
        )

        h_tr, hy_tr, _ = stack(train_val, hand, tracks)
        h_te, _, h_owners = stack(test, hand, tracks)
        start = time.perf_counter()
        hand_lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(
            h_tr, hy_tr
        )
        rows["handcrafted + logistic regression"].fit_seconds.append(time.perf_counter() - start)
        rows["handcrafted + logistic regression"].accuracies.append(
            track_accuracy(hand_lr.predict_proba(h_te), h_owners, labels)
        )
        print(
            f"fold {fold + 1}: "
            + ", ".join(f"{r.name} {r.accuracies[-1]:.3f}" for r in rows.values()),
            flush=True,
        )

    sample = [tracks[i].path for i in folds[0][1][:10]]
    head = heads[0]

    def musicnn_process(path: Path) -> int:
        segments = file_segments(path, params=MUSICNN)
        features = pooled_features(backbone, segments)
        head.predict(features, verbose=0)
        return len(segments)

    rate = throughput(musicnn_process, sample)
    rows["musicnn head"].segments_per_second = rate
    rows["musicnn + logistic regression"].segments_per_second = rate  # backbone dominates

    def hand_process(path: Path) -> int:
        handcrafted(path)
        return int(load_audio(path, sample_rate=16000).analysed_seconds // 3)

    rows["handcrafted + logistic regression"].segments_per_second = throughput(hand_process, sample)

    if args.seed_folds > 0:
        seed_row = RowResult(
            "seed (reference CNN)",
            [],
            [],
            0.0,
            note=f"{args.seed_epochs} epochs, {args.seed_folds} folds: CPU-bound",
        )
        images = {
            i: feature_cache.song_segments(audio_path=t.path, sha256=t.sha256, params=SEED)
            for i, t in enumerate(tracks)
        }
        for fold, (train_val, test) in enumerate(folds[: args.seed_folds]):
            train, val = split_validation(train_val, tracks, seed=args.seed + fold)
            x_tr, y_tr, _ = stack(train, images, tracks)
            x_va, y_va, _ = stack(val, images, tracks)
            x_te, _, owners = stack(test, images, tracks)
            keras.utils.set_random_seed(args.seed + fold)
            model = build_seed_cnn(num_classes=len(genres))
            start = time.perf_counter()
            fit_classifier(
                model=model,
                x_train=x_tr,
                y_train=y_tr,
                x_val=x_va,
                y_val=y_va,
                epochs=args.seed_epochs,
                patience=args.seed_epochs,
                seed=args.seed + fold,
                verbose=2,
            )
            seed_row.fit_seconds.append(time.perf_counter() - start)
            seed_row.accuracies.append(
                track_accuracy(model.predict(x_te, verbose=0, batch_size=16), owners, labels)
            )
            print(f"seed fold {fold + 1}: {seed_row.accuracies[-1]:.3f}", flush=True)

        def seed_process(path: Path) -> int:
            segments = file_segments(path, params=SEED)
            model.predict(segments, verbose=0, batch_size=16)
            return len(segments)

        seed_row.segments_per_second = throughput(seed_process, sample[:3])
        rows[seed_row.name] = seed_row

    print(
        "\n| model | track accuracy (test folds) | fit time / fold | inference segments/s | note |"
    )
    print("|---|---|---|---|---|")
    for row in rows.values():
        print(row.line())


if __name__ == "__main__":
    main()
