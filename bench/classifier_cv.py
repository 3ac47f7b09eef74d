"""Cross-validation of Timbre's genre models on a labelled GTZAN-style folder, grouped by artist.

    .venv/bin/python bench/classifier_cv.py --data ../shared/data/gtzan-dev --folds 5

Folds keep each artist's songs together (`classifier.crossval`, artist from ROOT/artists.csv or
`--metadata`), so a model is always scored on artists it never heard. A genre with one artist
cannot be measured that way: it is trained on in every fold and left out of the scores; the
header says how many artist groups each genre has.

Rows (same folds for every row):
- musicnn head on penultimate: the production model (frozen pretrained musicnn, its 200-d
  penultimate features, 128-d head), early stopping on a validation part of each fold's training
  songs; the same head on the 1,506-d pooled features (the model before) beside it;
- musicnn pooled/penultimate + logistic regression: the same frozen features, plain logistic
  regression on each song's mean feature vector;
- handcrafted + logistic regression (`--handcrafted`): MFCC, chroma, spectral statistics, tempo;
- seed: the reference CNN from scratch (slow on a CPU: `--seed-epochs`, `--seed-folds`).
Each row: track accuracy mean ± standard deviation over folds, purity@10 (each test song's 10
nearest among all songs under the similar-songs score, with that row's embedding), fitting time
per fold and inference throughput in 3-s segments per second.

Then the learning-curve rows (`--curve-repeats` splits): a random 70 % of the artist groups play the
user's unlabelled library, the rest is labelled; 10, 20, 30 of the library's songs are asked
(`classifier.suggestions`, rounds of 5, smallest top-two margin, spread out) or picked at random,
answered with their true genre, and the model (logistic regression on penultimate features, the
issue's simulation) is scored on the library's other songs. Mean over `--curve-repeats` splits.

Last, the not-music detector: the distance of a clip to its 5 nearest labelled songs (cosine of
standardised penultimate features), scored on `--nonmusic` clips against `--music` clips: AUROC.
"""

from __future__ import annotations

import argparse
import csv
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
from django.conf import settings
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from audio.decode import load_audio
from audio.errors import InvalidAudioError
from audio.features import MUSICNN, SEED, file_segments
from classifier import feature_cache
from classifier.crossval import group_key, grouped_folds, neighbour_purity, similarity_matrix
from classifier.nets.head import build_genre_head
from classifier.nets.musicnn import (
    load_musicnn_backbone,
    pooled_features,
    pooled_to_penultimate,
)
from classifier.nets.seed import build_seed_cnn
from classifier.nonmusic import NEIGHBOURS, MusicReference
from classifier.suggestions import rank_for_labelling
from classifier.trainer import MUSICNN_BACKBONE_KEY
from classifier.training import fit_classifier, track_probabilities

CURVE_ASKED = (0, 10, 20, 30)
CURVE_ROUND = 5  # suggestions answered per retraining


@dataclass
class Track:
    path: Path
    genre: int
    sha256: str
    group: str


@dataclass
class RowResult:
    name: str
    accuracies: list[float]
    purities: list[float]
    fit_seconds: list[float]
    segments_per_second: float = float("nan")
    note: str = ""

    def line(self) -> str:
        acc, pur = np.asarray(self.accuracies), np.asarray(self.purities)
        return (
            f"| {self.name} | {acc.mean():.3f} ± {acc.std():.3f} ({len(acc)} folds) | "
            f"{pur.mean():.3f} ± {pur.std():.3f} | {np.mean(self.fit_seconds):.1f} s | "
            f"{self.segments_per_second:.1f} | {self.note} |"
        )


def load_tracks(root: Path, metadata: Path | None) -> tuple[list[Track], list[str]]:
    artists: dict[str, str] = {}
    if metadata is not None and metadata.is_file():
        with metadata.open(newline="", encoding="utf-8-sig") as handle:
            artists = {row["file"]: row.get("artist") or "" for row in csv.DictReader(handle)}
    genres = sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    tracks = []
    for index, genre in enumerate(genres):
        for path in sorted((root / genre).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                artist = artists.get(str(path.relative_to(root)), "")
                group = group_key(song_id=len(tracks), artist=artist)
                tracks.append(Track(path=path, genre=index, sha256=digest, group=group))
    return tracks, genres


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
    """A fold's training songs split again, 85/15, for early stopping (stratified if it can)."""
    labels = [tracks[i].genre for i in train_val]
    counts = np.bincount(labels)
    stratify = labels if counts[counts > 0].min() >= 2 else None
    train, val = train_test_split(train_val, test_size=0.15, stratify=stratify, random_state=seed)
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


def full_probabilities(model: object, x: np.ndarray, n_classes: int) -> np.ndarray:
    """predict_proba with a column for every genre, also those absent from training."""
    out = np.zeros((len(x), n_classes))
    out[:, model.classes_] = model.predict_proba(x)  # type: ignore[attr-defined]
    return out


def logistic(x: np.ndarray, y: np.ndarray) -> object:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(x, y)


def purity_of(
    embeddings: np.ndarray, probabilities: np.ndarray, labels: np.ndarray, queries: np.ndarray
) -> float:
    weight = float(settings.RECOMMENDER_GENRE_WEIGHT)
    scores = similarity_matrix(embeddings, probabilities, genre_weight=weight)
    return neighbour_purity(scores, labels, queries=queries)


def learning_curve(
    features: np.ndarray, tracks: list[Track], *, repeats: int, seed: int
) -> dict[str, list[tuple[float, float]]]:
    """{"asked"|"random": [(accuracy, purity@10) per number of answers in CURVE_ASKED]}."""
    labels = np.array([t.genre for t in tracks])
    n_classes = int(labels.max()) + 1
    groups = [t.group for t in tracks]
    results: dict[str, list[list[tuple[float, float]]]] = {"asked": [], "random": []}
    splitter = GroupShuffleSplit(n_splits=repeats, test_size=0.7, random_state=seed)
    for repeat, (labelled, library) in enumerate(splitter.split(features, labels, groups)):
        rng = np.random.default_rng(seed + repeat)
        for strategy in results:
            known, pool, row = list(labelled), list(library), []
            asked_so_far = 0
            for target in CURVE_ASKED:
                while asked_so_far < target:
                    model = logistic(features[known], labels[known])
                    probabilities = full_probabilities(model, features[pool], n_classes)
                    if strategy == "asked":
                        picks = rank_for_labelling(probabilities, features[pool], count=CURVE_ROUND)
                    else:
                        picks = rng.choice(len(pool), size=CURVE_ROUND, replace=False).tolist()
                    chosen = [pool[i] for i in picks]
                    known += chosen
                    pool = [i for i in pool if i not in chosen]
                    asked_so_far += len(chosen)
                model = logistic(features[known], labels[known])
                everything = full_probabilities(model, features, n_classes)
                accuracy = float(np.mean(everything[pool].argmax(axis=1) == labels[pool]))
                standardised = model[0].transform(features)  # type: ignore[index]
                purity = purity_of(standardised, everything, labels, np.asarray(pool))
                row.append((accuracy, purity))
            results[strategy].append(row)
    return {
        strategy: [
            (float(np.mean([r[k][0] for r in rows])), float(np.mean([r[k][1] for r in rows])))
            for k in range(len(CURVE_ASKED))
        ]
        for strategy, rows in results.items()
    }


def nonmusic_auroc(
    library: np.ndarray,
    to_features: Callable[[Path], np.ndarray | None],
    *,
    nonmusic: list[Path],
    music: list[Path],
) -> tuple[float, str, list[str]]:
    """AUROC of the production detector (classifier.nonmusic) fitted on the labelled songs, and
    how many clips of each kind its own threshold flags."""
    reference = MusicReference.fit(library)
    truth, scores, skipped = [], [], []
    for label, paths in ((1, nonmusic), (0, music)):
        for path in paths:
            vector = to_features(path)
            if vector is None:
                skipped.append(path.name)
                continue
            truth.append(label)
            scores.append(reference.score(vector))
    flagged = [reference.is_not_music(score) for score in scores]
    n_pos = sum(truth)
    hits = sum(f for f, t in zip(flagged, truth, strict=True) if t)
    false = sum(f for f, t in zip(flagged, truth, strict=True) if not t)
    counts = (
        f"{n_pos} not-music vs {len(truth) - n_pos} music clips; threshold "
        f"{reference.threshold:.3f} flags {hits} of {n_pos} not-music and {false} of "
        f"{len(truth) - n_pos} music"
    )
    return float(roc_auc_score(truth, scores)), counts, skipped


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument(
        "--metadata", type=Path, help="CSV file,artist,... (default ROOT/artists.csv)"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--handcrafted", action="store_true", help="Add the handcrafted row.")
    parser.add_argument("--seed-epochs", type=int, default=2, help="Epochs for the seed CNN.")
    parser.add_argument(
        "--seed-folds", type=int, default=0, help="Folds for the seed CNN (0: skip)."
    )
    parser.add_argument("--curve-repeats", type=int, default=5, help="Learning-curve splits.")
    parser.add_argument("--nonmusic", type=Path, help="Folder of speech/animal/noise clips.")
    parser.add_argument("--music", type=Path, help="Folder of music clips (any layout).")
    args = parser.parse_args()

    tracks, genres = load_tracks(args.data, args.metadata or args.data / "artists.csv")
    labels = np.array([t.genre for t in tracks])
    folds = grouped_folds(
        labels=labels, groups=[t.group for t in tracks], n_folds=args.folds, seed=args.seed
    )
    print(
        f"{len(tracks)} tracks, {len(genres)} genres, {len(folds.folds)}-fold CV grouped by "
        f"{folds.level}, Keras backend {keras.backend.backend()}"
    )
    print(
        f"{folds.level} groups per genre: "
        + ", ".join(f"{genres[c]} {n}" for c, n in sorted(folds.groups_per_genre.items()))
    )
    if folds.unmeasured:
        print(
            "not measurable across artists (one group; in every training fold, never scored): "
            + ", ".join(genres[c] for c in folds.unmeasured)
        )

    backbone = load_musicnn_backbone()
    to_penultimate = pooled_to_penultimate(backbone)
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
    penultimate = {
        i: keras.ops.convert_to_numpy(to_penultimate.predict_on_batch(x)) for i, x in pooled.items()
    }
    track_pooled = np.stack([pooled[i].mean(axis=0) for i in range(len(tracks))])
    track_penultimate = np.stack([penultimate[i].mean(axis=0) for i in range(len(tracks))])
    hand = np.stack([handcrafted(t.path) for t in tracks]) if args.handcrafted else None
    print(f"features computed or loaded from cache in {time.perf_counter() - t0:.1f} s")

    rows = {
        name: RowResult(name, [], [], [])
        for name in (
            "musicnn head on pooled features",
            "musicnn head on penultimate (production)",
            "musicnn pooled + logistic regression",
            "musicnn penultimate + logistic regression",
        )
    }
    if hand is not None:
        rows["handcrafted + logistic regression"] = RowResult(
            "handcrafted + logistic regression", [], [], []
        )
    everything = np.arange(len(tracks))
    heads = []
    for fold, (train_val, test) in enumerate(folds.folds):
        train, val = split_validation(train_val, tracks, seed=args.seed + fold)
        for name, inputs in (
            ("musicnn head on pooled features", pooled),
            ("musicnn head on penultimate (production)", penultimate),
        ):
            x_tr, y_tr, _ = stack(train, inputs, tracks)
            x_va, y_va, _ = stack(val, inputs, tracks)
            keras.utils.set_random_seed(args.seed + fold)
            start = time.perf_counter()
            head = build_genre_head(
                input_dim=x_tr.shape[1], num_classes=len(genres), train_features=x_tr
            )
            fit_classifier(
                model=head, x_train=x_tr, y_train=y_tr, x_val=x_va, y_val=y_va,
                epochs=200, patience=25, seed=args.seed + fold,
            )  # fmt: skip
            row = rows[name]
            row.fit_seconds.append(time.perf_counter() - start)
            extractor = keras.Model(
                head.input, {"genre": head.get_layer("genre").output,
                             "embedding": head.get_layer("embedding").output},
            )  # fmt: skip
            x_all, _, owners = stack(everything, inputs, tracks)
            outputs = extractor.predict(x_all, verbose=0, batch_size=256)
            _, probabilities = track_probabilities(outputs["genre"], owners)
            _, embeddings = track_probabilities(outputs["embedding"], owners)
            row.accuracies.append(float(np.mean(probabilities[test].argmax(1) == labels[test])))
            row.purities.append(purity_of(embeddings, probabilities, labels, test))
            if inputs is penultimate:
                heads.append(head)

        for name, features in (
            ("musicnn pooled + logistic regression", track_pooled),
            ("musicnn penultimate + logistic regression", track_penultimate),
            ("handcrafted + logistic regression", hand),
        ):
            if features is None:
                continue
            start = time.perf_counter()
            model = logistic(features[train_val], labels[train_val])
            rows[name].fit_seconds.append(time.perf_counter() - start)
            probabilities = full_probabilities(model, features, len(genres))
            rows[name].accuracies.append(
                float(np.mean(probabilities[test].argmax(1) == labels[test]))
            )
            standardised = model[0].transform(features)  # type: ignore[index]
            rows[name].purities.append(purity_of(standardised, probabilities, labels, test))
        print(
            f"fold {fold + 1}: "
            + ", ".join(f"{r.name} {r.accuracies[-1]:.3f}" for r in rows.values()),
            flush=True,
        )

    sample = [tracks[i].path for i in folds.folds[0][1][:10]]
    head = heads[0]

    def musicnn_process(path: Path) -> int:
        segments = file_segments(path, params=MUSICNN)
        features = to_penultimate.predict(pooled_features(backbone, segments), verbose=0)
        head.predict(features, verbose=0)
        return len(segments)

    rate = throughput(musicnn_process, sample)
    for name in rows:
        if name.startswith("musicnn"):
            rows[name].segments_per_second = rate  # the backbone dominates

    if args.seed_folds > 0:
        seed_row = RowResult(
            "seed (reference CNN)", [], [], [],
            note=f"{args.seed_epochs} epochs, {args.seed_folds} folds: CPU-bound",
        )  # fmt: skip
        images = {
            i: feature_cache.song_segments(audio_path=t.path, sha256=t.sha256, params=SEED)
            for i, t in enumerate(tracks)
        }
        for fold, (train_val, test) in enumerate(folds.folds[: args.seed_folds]):
            train, val = split_validation(train_val, tracks, seed=args.seed + fold)
            x_tr, y_tr, _ = stack(train, images, tracks)
            x_va, y_va, _ = stack(val, images, tracks)
            keras.utils.set_random_seed(args.seed + fold)
            model = build_seed_cnn(num_classes=len(genres))
            start = time.perf_counter()
            fit_classifier(
                model=model, x_train=x_tr, y_train=y_tr, x_val=x_va, y_val=y_va,
                epochs=args.seed_epochs, patience=args.seed_epochs, seed=args.seed + fold,
                verbose=2,
            )  # fmt: skip
            seed_row.fit_seconds.append(time.perf_counter() - start)
            extractor = keras.Model(
                model.input, {"genre": model.get_layer("genre").output,
                              "embedding": model.get_layer("embedding").output},
            )  # fmt: skip
            x_all, _, owners = stack(everything, images, tracks)
            outputs = extractor.predict(x_all, verbose=0, batch_size=16)
            _, probabilities = track_probabilities(outputs["genre"], owners)
            _, embeddings = track_probabilities(outputs["embedding"], owners)
            seed_row.accuracies.append(
                float(np.mean(probabilities[test].argmax(1) == labels[test]))
            )
            seed_row.purities.append(purity_of(embeddings, probabilities, labels, test))
            print(f"seed fold {fold + 1}: {seed_row.accuracies[-1]:.3f}", flush=True)
        rows[seed_row.name] = seed_row

    print(
        "\n| model | track accuracy (test folds) | purity@10 | fit time / fold "
        "| inference segments/s | note |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows.values():
        print(row.line())

    if args.curve_repeats > 0:
        curve = learning_curve(
            track_penultimate, tracks, repeats=args.curve_repeats, seed=args.seed
        )
        print(
            f"\nlearning curve: 70 % of the {folds.level} groups as the unlabelled library, "
            f"answers in rounds of {CURVE_ROUND}, mean of {args.curve_repeats} splits "
            "(accuracy / purity@10 on the library's songs not asked)"
        )
        print("| picks | " + " | ".join(f"{n} answers" for n in CURVE_ASKED) + " |")
        print("|---|" + "---|" * len(CURVE_ASKED))
        for strategy, values in curve.items():
            cells = " | ".join(f"{a:.3f} / {p:.3f}" for a, p in values)
            print(f"| {strategy} | {cells} |")

    if args.nonmusic is not None and args.music is not None:

        def clip_features(path: Path) -> np.ndarray | None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            try:
                segments = feature_cache.song_segments(
                    audio_path=path, sha256=digest, params=MUSICNN
                )
            except InvalidAudioError:
                return None
            clip_pooled = feature_cache.song_backbone_features(
                sha256=digest, params=MUSICNN, backbone_key=MUSICNN_BACKBONE_KEY,
                compute=lambda: pooled_features(backbone, segments),
            )  # fmt: skip
            return keras.ops.convert_to_numpy(to_penultimate.predict_on_batch(clip_pooled)).mean(0)

        audio = (".ogg", ".flac", ".mp3", ".wav", ".m4a")
        nonmusic = sorted(p for p in args.nonmusic.rglob("*") if p.suffix in audio)
        music = sorted(
            p for p in args.music.rglob("*")
            if p.suffix in audio and args.nonmusic not in p.parents
        )  # fmt: skip
        auroc, counts, skipped = nonmusic_auroc(
            track_penultimate, clip_features, nonmusic=nonmusic, music=music
        )
        print(
            f"\nnot-music detector (1 - cosine to the {NEIGHBOURS} nearest labelled songs, "
            f"fitted on all {len(tracks)} labelled songs): AUROC {auroc:.3f} on {counts}"
            + (f"; not analysable, skipped: {', '.join(skipped)}" if skipped else "")
        )


if __name__ == "__main__":
    main()
