"""A library at scale: scan N distinct 4-minute MP3s in place, analyse them all through the queue.

    .venv/bin/python -m timbre.stack exec -- .venv/bin/python bench/library_scale.py --songs 20

In a scratch database (``timbre_scale`` on the server of ``DATABASE_URL``, dropped at the end)
and on queues of its own (a running `make run` worker never takes its tasks):

1. makes N distinct 4-minute 44.1 kHz stereo MP3s in a temporary folder, with ID3 tags: each a
   different procedural demo song (style and seed), 30 s of it synthesised and repeated to the
   length with a little noise of its own (distinct content, not copies; synthesising 4 minutes
   takes ~20 s a song here, which would dwarf what is measured);
2. registers a musicnn model version with an untrained head (the same network and cost as a
   trained one) and starts one Celery worker as `make run` does (`timbre.stack.worker_command`:
   concurrency 1, both queues), warmed up on one extra song so that loading TensorFlow and the
   model is not counted;
3. scans the folder (`library_scan`, which queues each new song's analysis as it commits) and
   times until every song is analysed, sampling the worker's resident memory meanwhile.

It prints

    N songs: scan X s, analysis Y songs/min on C cores, worker RSS Z MB

where Y counts from the start of the scan to the last analysis stored (the scan and the analyses
overlap, as they do in a real first scan) and Z is the peak resident memory of the worker's
largest process (the pool child that holds TensorFlow and the model), with the whole worker's
peak beside it. Making the files is not timed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
import psutil
import psycopg
from psycopg import sql


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--songs", type=int, default=20, help="distinct 4-minute MP3s")
    parser.add_argument("--seconds", type=float, default=240.0, help="length of each song")
    parser.add_argument("--concurrency", type=int, default=1, help="worker pool size (make run: 1)")
    parser.add_argument("--database", default="timbre_scale")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after (s)")
    return parser.parse_args()


ARGS = parse_args()
DEV_URL = os.environ.get("DATABASE_URL", "")
if not DEV_URL:
    sys.exit("Run under the servers: python -m timbre.stack exec -- python bench/library_scale.py")
URL = urlunsplit(urlsplit(DEV_URL)._replace(path=f"/{ARGS.database}"))
RUN = uuid.uuid4().hex[:8]
os.environ.update(
    {
        "DATABASE_URL": URL,
        "CELERY_CLASSIFIER_QUEUE": f"scale-{RUN}-classifier",
        "CELERY_DEFAULT_QUEUE": f"scale-{RUN}-default",
        "DJANGO_SETTINGS_MODULE": "timbre.settings",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
)


def make_songs(folder: Path, *, count: int, seconds: float, first_seed: int = 0) -> list[Path]:
    """Distinct tagged MP3s: a different procedural song (style and seed) each."""
    from mutagen.id3 import ID3, TALB, TIT2, TPE1, TRCK

    from demo.synth import STYLES, synthesize_song
    from tests.audio_factory import write_audio

    paths = []
    for seed in range(first_seed, first_seed + count):
        style = STYLES[seed % len(STYLES)]
        rate = 44_100
        phrase = synthesize_song(
            style=style, seconds=min(seconds, 30.0), sample_rate=rate, seed=seed
        )
        mono = np.resize(phrase, round(seconds * rate))
        mono += np.random.default_rng(seed).normal(0.0, 0.003, len(mono)).astype(np.float32)
        stereo = np.stack([mono, 0.9 * mono], axis=1)
        album = folder / f"album-{seed // 10:04d}"
        album.mkdir(parents=True, exist_ok=True)
        path = write_audio(album / f"{seed % 10 + 1:02d} song {seed}.mp3", stereo, 44_100)
        tags = ID3()
        tags.add(TIT2(encoding=3, text=f"Song {seed}"))
        tags.add(TPE1(encoding=3, text=f"Artist {seed % 7}"))
        tags.add(TALB(encoding=3, text=f"Album {seed // 10}"))
        tags.add(TRCK(encoding=3, text=str(seed % 10 + 1)))
        tags.save(path)
        paths.append(path)
    return paths


def tree_rss_mb(process: psutil.Process) -> tuple[float, float]:
    """(largest process, whole tree) resident memory in MB."""
    sizes = []
    for member in [process, *process.children(recursive=True)]:
        try:
            sizes.append(member.memory_info().rss / 1e6)
        except psutil.Error:
            continue
    return (max(sizes), sum(sizes)) if sizes else (0.0, 0.0)


def wait_analysed(expected: int, *, worker: psutil.Process, timeout: float) -> tuple[float, float]:
    """Poll until `expected` songs are done or failed; returns the peak RSS pair meanwhile."""
    from library.models import Song

    peak_largest = peak_total = 0.0
    deadline = time.monotonic() + timeout
    while True:
        largest, total = tree_rss_mb(worker)
        peak_largest, peak_total = max(peak_largest, largest), max(peak_total, total)
        finished = Song.objects.filter(status__in=[Song.Status.DONE, Song.Status.FAILED]).count()
        if finished >= expected:
            return peak_largest, peak_total
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {finished} of {expected} songs analysed in {timeout:.0f} s")
        time.sleep(0.2)


def main() -> int:
    with psycopg.connect(DEV_URL, autocommit=True) as admin:
        name = sql.Identifier(ARGS.database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    worker: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from library.models import Song
        from library.services.scans import library_scan
        from library.services.songs import song_create
        from tests.factories import make_ready_model_version
        from timbre.stack import worker_command

        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory(prefix="timbre-scale-") as scratch:
            root = Path(scratch)
            settings.MODEL_DIR = root / "models"
            settings.MEDIA_ROOT = root / "media"
            make_ready_model_version(model_dir=settings.MODEL_DIR, name="scale-musicnn")
            started = time.perf_counter()
            make_songs(root / "music", count=ARGS.songs, seconds=ARGS.seconds)
            warmup = make_songs(root / "warmup", count=1, seconds=30.0, first_seed=10_000)[0]
            print(f"made {ARGS.songs} songs in {time.perf_counter() - started:.0f} s", flush=True)

            env = {**os.environ, "MODEL_DIR": str(settings.MODEL_DIR)}
            env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
            command = worker_command(env=env, concurrency=ARGS.concurrency)
            log = (root / "worker.log").open("wb")
            worker = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log)
            handle = psutil.Process(worker.pid)
            from django.core.files import File

            with warmup.open("rb") as upload:
                song_create(owner=None, upload=File(upload, name="w.mp3"), original_filename="w")
            wait_analysed(1, worker=handle, timeout=600)
            Song.objects.all().delete()
            print("worker ready (model loaded, one song analysed)", flush=True)

            started = time.perf_counter()
            report = library_scan(paths=[root / "music"])
            scan_s = time.perf_counter() - started
            peak_largest, peak_total = wait_analysed(
                report.added, worker=handle, timeout=ARGS.timeout
            )
            analysis_s = time.perf_counter() - started
            failed = Song.objects.filter(status=Song.Status.FAILED).count()
            cores = len(os.sched_getaffinity(0))
            rate = report.added / analysis_s * 60
            print(
                f"{report.added} songs: scan {scan_s:.1f} s, analysis {rate:.0f} songs/min on "
                f"{cores} cores, worker RSS {peak_largest:.0f} MB "
                f"(whole worker {peak_total:.0f} MB; {failed} failed; "
                f"{analysis_s:.0f} s from scan start to the last analysis)",
                flush=True,
            )
            started = time.perf_counter()
            again = library_scan(paths=[root / "music"])
            print(
                f"rescan of the unchanged tree: {time.perf_counter() - started:.2f} s "
                f"({again.unchanged} unchanged)",
                flush=True,
            )
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(DEV_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(ARGS.database)
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
