"""Load on a running Timbre (`make run`): page and API latency, then a burst of uploads.

    make run                                    # in one terminal (gunicorn on 127.0.0.1:8000)
    .venv/bin/python -m timbre.stack exec -- .venv/bin/python bench/load.py

Loopback only: it refuses any other host. It creates a throw-away user (deleted at the end with
its songs), then for a fixed `--duration` runs `--clients` concurrent clients, each cycling
through the library page, a song page and /api/songs/<id>/similar/ with its own keep-alive
connection, and prints per route

    library: N req/s, p50 X ms, p99 Y ms, errors E

Then it uploads `--uploads` distinct generated WAV files at once through the API (10 at a time)
and waits (at most `--analysis-timeout` seconds) until each is analysed, checking that every
song has exactly one analysis by the active model and was started once:

    uploads: 50 accepted in T s; 50 analysed exactly once in T s

It stops by itself; the database it reads is the one `make run` uses (same environment).
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="A loopback address.")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="Seconds of page load.")
    parser.add_argument("--uploads", type=int, default=50, help="0 skips the upload burst.")
    parser.add_argument("--analysis-timeout", type=float, default=900.0)
    return parser.parse_args()


ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timbre.settings")

import django

django.setup()

import numpy as np
import soundfile as sf
from django.contrib.auth import get_user_model

from classifier.models import Analysis
from classifier.selectors import model_version_active
from library.models import Song
from library.services import song_delete, user_create

FINAL = {Song.Status.DONE, Song.Status.FAILED}


class Session:
    """One client: a keep-alive connection with the bench user's cookies and token."""

    def __init__(self, base: str, *, cookies: dict[str, str], token: str = "") -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies = dict(cookies)
        self.token = token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(
        self, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        for attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            try:
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read(), response
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _cookies_from(response: http.client.HTTPResponse) -> dict[str, str]:
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def log_in(base: str, username: str, password: str) -> tuple[dict[str, str], str]:
    """A session cookie (web pages) and an API token for the bench user."""
    session = Session(base, cookies={})
    _, _, form = session.request("GET", "/accounts/login/")
    cookies = _cookies_from(form)
    session.cookies = cookies
    body = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": cookies["csrftoken"]}
    ).encode()
    status, _, response = session.request(
        "POST", "/accounts/login/", body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/"},
    )  # fmt: skip
    if status != 302:
        raise SystemExit(f"log-in failed with HTTP {status}")
    cookies.update(_cookies_from(response))
    status, payload, _ = Session(base, cookies={}).request(
        "POST", "/api/auth/token/",
        body=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    if status != 200:
        raise SystemExit(f"token request failed with HTTP {status}")
    return cookies, json.loads(payload)["token"]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[route].append(seconds)
            if not ok:
                self.errors[route] += 1


def page_load(base: str, *, cookies: dict[str, str], token: str, song_id: int) -> None:
    routes = {
        "library": ("/", False),
        "song page": (f"/songs/{song_id}/", False),
        "similar (API)": (f"/api/songs/{song_id}/similar/", True),
    }
    results = Results()
    deadline = time.monotonic() + ARGS.duration

    def client(offset: int) -> None:
        web = Session(base, cookies=cookies)
        api = Session(base, cookies={}, token=token)
        names = list(routes)
        n = offset
        while time.monotonic() < deadline:
            name = names[n % len(names)]
            path, is_api = routes[name]
            started = time.perf_counter()
            try:
                status, _, _ = (api if is_api else web).request("GET", path)
                ok = status == 200
            except (http.client.HTTPException, OSError):
                ok = False
            results.add(name, time.perf_counter() - started, ok)
            n += 1

    started = time.monotonic()
    with ThreadPoolExecutor(ARGS.clients) as pool:
        list(pool.map(client, range(ARGS.clients)))
    elapsed = time.monotonic() - started
    print(f"{ARGS.clients} clients for {elapsed:.1f} s against {base}")
    everything: list[float] = []
    for name in routes:
        print(f"  {name}: {_summary(results.latencies[name], results.errors[name], elapsed)}")
        everything += results.latencies[name]
    print(f"  all: {_summary(everything, sum(results.errors.values()), elapsed)}")


def _summary(latencies: list[float], errors: int, elapsed: float) -> str:
    if not latencies:
        return "no requests"
    ms = sorted(1000 * s for s in latencies)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return (
        f"{len(ms) / elapsed:.0f} req/s, p50 {statistics.median(ms):.0f} ms, "
        f"p99 {p99:.0f} ms, errors {errors}"
    )


def wav_bytes(n: int) -> bytes:
    """6 s of a chord unique to `n` (so no two uploads are the same file)."""
    rate = 22050
    t = np.arange(6 * rate) / rate
    base = 110.0 * 2 ** (n / 12)
    signal = sum(np.sin(2 * np.pi * base * k * t) / k for k in (1, 2, 3, 5))
    buffer = io.BytesIO()
    sf.write(buffer, (0.2 * signal).astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def multipart(name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
            "\r\nContent-Type: audio/wav\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload_burst(base: str, *, token: str, owner_id: int) -> None:
    files = [wav_bytes(n) for n in range(ARGS.uploads)]

    def send(n: int) -> int:
        body, content_type = multipart("files", f"bench-{n}.wav", files[n])
        status, _, _ = Session(base, cookies={}, token=token).request(
            "POST", "/api/songs/", body=body, headers={"Content-Type": content_type}
        )
        return status

    started = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(send, range(ARGS.uploads)))
    accepted = statuses.count(201)
    odd = f" (statuses {sorted(set(statuses))})" if accepted != ARGS.uploads else ""
    print(
        f"uploads: {accepted} of {ARGS.uploads} accepted in {time.monotonic() - started:.1f} s{odd}"
    )
    songs = Song.objects.filter(owner_id=owner_id)
    deadline = time.monotonic() + ARGS.analysis_timeout
    while time.monotonic() < deadline and songs.exclude(status__in=FINAL).exists():
        time.sleep(1)
    version = model_version_active()
    done = songs.filter(status=Song.Status.DONE).count()
    once = sum(
        1
        for song in songs
        if Analysis.objects.filter(song=song, model_version=version).count() == 1
        and song.attempts == 1
    )
    print(
        f"  {done} of {songs.count()} songs done, {once} analysed exactly once (one analysis by "
        f"{version.name if version else 'no model'}, one attempt) "
        f"{time.monotonic() - started:.0f} s after the burst began"
    )


def main() -> int:
    base = ARGS.url.rstrip("/")
    if urlsplit(base).hostname not in LOOPBACK:
        raise SystemExit(f"{base}: this benchmark only runs against a loopback address")
    song = (
        Song.objects.filter(owner__isnull=True, status=Song.Status.DONE).order_by("pk").first()
        or Song.objects.filter(is_public=True, status=Song.Status.DONE).order_by("pk").first()
    )
    if song is None:
        raise SystemExit("no analysed shared song to load: start `make run` once (demo library)")
    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    user = user_create(username=username, password=password)
    try:
        cookies, token = log_in(base, username, password)
        page_load(base, cookies=cookies, token=token, song_id=song.pk)
        if ARGS.uploads:
            upload_burst(base, token=token, owner_id=user.pk)
    finally:
        for own in Song.objects.filter(owner=user):
            song_delete(song=own)
        get_user_model().objects.filter(pk=user.pk).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
