"""End to end in a real headless Chromium: sign up, upload, wait, listen, like, get recommendations.

The web server (pytest-django's live server), PostgreSQL, Redis and the Celery worker are all real.
Chromium is Debian's (`apt-get install chromium`, done by .ci/run); Playwright only drives it.
A screenshot of the song page is kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.files import File

from classifier.analysis import Outcome, song_analyze
from classifier.models import ModelVersion
from demo.synth import write_song
from library.models import Song
from library.services import song_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the environment's probe does: no background traffic on a closed network, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TIMEOUT_MS = 120_000


@pytest.fixture
def shared_library(ready_model: ModelVersion, tmp_path: Path) -> list[Song]:
    """Dataset songs everyone can see, already analysed: what 'For you' can recommend."""
    songs = []
    for seed, style in enumerate(("synth-swing", "synth-techno", "synth-swing", "synth-waltz")):
        path = write_song(tmp_path / f"shared-{seed}.flac", style=style, seconds=8, seed=40 + seed)
        with path.open("rb") as handle:
            song = song_create(
                owner=None, upload=File(handle, name=path.name), original_filename=path.name,
                source=Song.Source.DATASET,
            ).song  # fmt: skip
        assert song_analyze(song_id=song.pk) in {Outcome.DONE, Outcome.BUSY, Outcome.SKIPPED}
        songs.append(song)
    return songs


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run does it)")
def test_sign_up_upload_listen_like_and_for_you_changes(
    live_server: object,
    celery_worker: object,
    shared_library: list[Song],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database reads
    # are still plain synchronous calls between its steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    uploads = [
        write_song(tmp_path / "Nightcap.flac", style="synth-swing", seconds=8, seed=7),
        write_song(tmp_path / "Warehouse.flac", style="synth-techno", seconds=8, seed=8),
    ]
    base = live_server.url  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        # Every page runs under the Content-Security-Policy: Chromium reports what it blocks.
        blocked: list[str] = []
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        try:
            signup = page.goto(f"{base}/accounts/signup/")
            assert signup is not None
            assert "script-src 'self'" in signup.headers["content-security-policy"]
            page.fill("#id_username", "listener")
            page.fill("#id_password1", "a tune in 5/4 time")
            page.fill("#id_password2", "a tune in 5/4 time")
            page.click("form button[type=submit]")
            expect(page.locator(".topbar")).to_contain_text("listener")

            page.goto(f"{base}/for-you/")
            cold_start = page.locator("main").inner_text()
            assert "You have not liked or played any songs yet" in cold_start

            page.goto(f"{base}/upload/")
            page.set_input_files("input[type=file][name=files]", [str(p) for p in uploads])
            page.click("[data-upload-button]")
            # This upload's results (the recent uploads below list the same songs again).
            statuses = page.locator("tr.upload-created [data-song-status]")
            expect(statuses).to_have_count(2)
            # The page polls the status endpoint: both turn to done without a reload.
            done = page.locator('tr.upload-created [data-song-status][data-status="done"]')
            expect(done).to_have_count(2)

            first = page.locator("tr.upload-created a").first
            title = first.inner_text().strip()  # from the file's tags
            first.click()
            expect(page.locator("h1")).to_contain_text(title)
            audio = page.locator("audio.player")
            expect(audio).to_have_count(1)
            assert page.evaluate("document.querySelector('audio.player').canPlayType('audio/flac')")
            # One labelled score per similar song, and a reason that does not name this page's song.
            expect(page.locator("ol.picks .score").first).to_contain_text("% match")
            assert f"similar to {title}" not in page.locator("main").inner_text()
            spectrogram = page.locator("img[alt^='Log-mel spectrogram']")
            spectrogram.scroll_into_view_if_needed()  # it loads lazily
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=spectrogram.element_handle()
            )
            page.screenshot(path=str(ARTIFACTS / "song-page.png"), full_page=True)

            # Like the first similar song that is not one of our own uploads.
            shared_titles = {song.title for song in shared_library}
            items = page.locator("ol.picks > li")
            liked_title = ""
            for index in range(items.count()):
                item = items.nth(index)
                title = item.locator("a").first.inner_text().strip()
                if title in shared_titles:
                    item.locator("button.like").click()
                    expect(item.locator("button.like")).to_contain_text("Liked")
                    liked_title = title
                    break
            assert liked_title, "no shared song among the similar songs"

            page.goto(f"{base}/for-you/")
            personal = page.locator("main").inner_text()
            assert personal != cold_start
            assert "You have not liked or played any songs yet" not in personal
            assert f"because you liked {liked_title}" in personal

            page.goto(f"{base}/map/")  # drawn by map.js from map/points.json
            page.wait_for_load_state("networkidle")
            expect(page.locator("[data-map] svg")).to_have_count(1)
            page.goto(f"{base}/genres/")
            assert blocked == [], blocked
        finally:
            page.screenshot(path=str(ARTIFACTS / "last-page.png"), full_page=True)
            browser.close()
