"""Ingest throughput of one analysis worker, stage by stage, on generated songs.

    make manage ARGS=...   # not needed; run it with the servers up:
    .venv/bin/python -m timbre.stack exec -- .venv/bin/python bench/ingest.py

For each input kind (30-s WAV, 4-min MP3; 44.1 kHz stereo, generated) it runs the worker's own
steps on N songs with the active model version: decode -> features -> inference -> database, and
prints songs per minute for a single-process worker with the mean time per stage, e.g.

    4-min MP3: 95.3 songs/min per worker (decode … ms, features … ms, inference … ms, db … ms)

`--threads` limits the math libraries' threads (default 1: "one core").
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--songs", type=int, default=10, help="Songs per input kind.")
    parser.add_argument("--threads", type=int, default=1, help="Math library threads.")
    return parser.parse_args()


ARGS = parse_args()
for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ[variable] = str(ARGS.threads)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timbre.settings")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import django

django.setup()

import numpy as np
from django.core.files import File

from audio.features import audio_segments, load_analysed_audio
from classifier.analysis import analysis_store, predictor_for
from classifier.selectors import model_version_active
from demo.synth import STYLES, synthesize_song
from library.models import Song
from tests.audio_factory import write_audio

KINDS = {"30-s WAV": (30.0, ".wav"), "4-min MP3": (240.0, ".mp3")}
SAMPLE_RATE = 44100


def make_inputs(folder: Path, seconds: float, suffix: str, count: int) -> list[Path]:
    paths = []
    for seed in range(count):
        mono = synthesize_song(
            style=STYLES[seed % len(STYLES)], seconds=seconds, sample_rate=SAMPLE_RATE, seed=seed
        )
        stereo = np.stack([mono, 0.9 * mono], axis=1)
        paths.append(write_audio(folder / f"song-{seed}{suffix}", stereo, SAMPLE_RATE))
    return paths


def main() -> None:
    version = model_version_active()
    if version is None:
        sys.exit("No active model version: run `make run` once, or train one first.")
    predictor = predictor_for(version)
    params = predictor.params
    print(f"model {version.name}, {ARGS.threads} thread(s), {ARGS.songs} songs per kind")
    # Warm up: the first forward pass builds the graph.
    predictor.segment_outputs(np.zeros((2, *params.input_shape), np.float32))

    for kind, (seconds, suffix) in KINDS.items():
        with tempfile.TemporaryDirectory() as folder:
            paths = make_inputs(Path(folder), seconds, suffix, ARGS.songs)
            songs = []
            for path in paths:
                with path.open("rb") as handle:
                    song = Song(title=path.stem, sha256=f"bench-{time.time_ns()}", audio_format="x")
                    song.audio.save(path.name, File(handle), save=False)
                    song.save()
                    songs.append(song)
            stages: dict[str, list[float]] = defaultdict(list)
            try:
                for song in songs:
                    t0 = time.perf_counter()
                    audio = load_analysed_audio(Path(song.audio.path), params=params)
                    t1 = time.perf_counter()
                    segments = audio_segments(audio, params=params)
                    t2 = time.perf_counter()
                    prediction = predictor.predict_segments(segments)
                    t3 = time.perf_counter()
                    analysis_store(song_id=song.pk, version=version, prediction=prediction)
                    t4 = time.perf_counter()
                    for name, value in zip(
                        ("decode", "features", "inference", "db"),
                        (t1 - t0, t2 - t1, t3 - t2, t4 - t3),
                        strict=True,
                    ):
                        stages[name].append(value)
            finally:
                for song in songs:
                    song.audio.delete(save=False)
                    song.delete()
        per_song = sum(np.mean(v) for v in stages.values())
        detail = ", ".join(f"{name} {np.mean(v) * 1000:.0f} ms" for name, v in stages.items())
        print(
            f"{kind}: {60 / per_song:.1f} songs/min per worker ({detail}; "
            f"{len(segments)} segments per song)",
            flush=True,
        )


if __name__ == "__main__":
    main()
