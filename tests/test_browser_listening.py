"""End to end in a real headless Chromium: radio, skips, "not for me", navigation, playlists.

A song radio starts from a song page; two skips; "not for me" on the song playing removes its
close neighbours from the queue; the player keeps playing across a page change (the <audio>
element is never replaced); the queue is saved as a playlist and exported as M3U8.

The songs are real, playable WAV files with hand-placed embeddings (no model run): a cluster "A"
around the seed and a cluster "B" farther away, so that which songs are the disliked one's
neighbours is known.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from library.models import Play, Playlist, Song
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT_MS = 60_000
PASSWORD = "listening all night"


def wav_bytes(*, frequency: float, seconds: float = 60.0, sample_rate: int = 8000) -> bytes:
    """A quiet sine tone, mono 16-bit PCM."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    samples = (0.1 * np.sin(2 * np.pi * frequency * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def on_circle(degrees: float) -> np.ndarray:
    return unit_vector([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


@pytest.fixture
def library() -> dict[str, Song]:
    version = make_serving_version()
    songs: dict[str, Song] = {}

    def add(title: str, degrees: float, artist: str) -> None:
        songs[title] = make_analysed_song(
            version=version, embedding=on_circle(degrees), title=title, artist=artist,
            content=wav_bytes(frequency=200 + 10 * len(songs)), duration=60.0,
        )  # fmt: skip

    add("Seed", 0, "Eve")
    for n in range(1, 7):  # cluster A: 2° to 12° from the seed
        add(f"A{n}", 2 * n, "Ann" if n % 2 else "Bob")
    for n in range(1, 11):  # cluster B: 45° to 54°, far from A
        add(f"B{n}", 44 + n, "Cy" if n % 2 else "Di")
    return songs


def upcoming(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Titles of the queue after the song playing."""
    return page.evaluate(
        """() => {
          const items = [...document.querySelectorAll("[data-queue-list] li")];
          const at = items.findIndex((li) => li.hasAttribute("aria-current"));
          return items.slice(at + 1).map((li) => li.querySelector(".queue-title").textContent);
        }"""
    )


def playing(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-now-title]").inner_text().strip()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run does it)")
def test_radio_skip_dislike_navigate_save_and_export(
    live_server: object, library: dict[str, Song], monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/test_browser.py
    user = make_user("radio", password=PASSWORD)
    base = live_server.url  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)
    args = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", "--mute-audio"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "radio")
            page.fill("#id_password", PASSWORD)
            page.click("main form button[type=submit]")
            expect(page.locator(".topbar")).to_contain_text("radio")

            # A song radio from the seed's page: the seed, then its neighbours (cluster A first).
            page.goto(f"{base}{library['Seed'].get_absolute_url()}")
            page.click("button[data-radio]")
            expect(page.locator("[data-now-title]")).to_have_text("Seed")
            page.click("[data-action=queue]")
            expect(page.locator("[data-queue-list] li")).to_have_count(9)
            first = upcoming(page)
            assert first[0].startswith("A"), first
            assert len({title.split(" — ")[0] for title in first}) == len(first)  # no repeats
            page.wait_for_function("() => !document.querySelector('[data-player-audio]').paused")

            # Skip twice.
            page.click("[data-action=next]")
            page.click("[data-action=next]")
            now = playing(page)
            assert now.startswith("A"), now
            before = upcoming(page)
            neighbours = [title for title in before if title.startswith("A")]
            assert neighbours, before

            # Not for me: the song playing goes, and so do its neighbours in the queue.
            page.click("[data-action=dislike]")
            expect(page.locator("[data-now-title]")).not_to_have_text(now)
            page.wait_for_function(
                """(gone) => [...document.querySelectorAll("[data-queue-list] .queue-title")]
                     .every((el) => !gone.includes(el.textContent))""",
                arg=neighbours,
            )
            after = upcoming(page)
            assert after and all(title.startswith("B") for title in after), after
            assert playing(page).startswith("B")
            page.screenshot(path=str(ARTIFACTS / "radio-after-dislike.png"), full_page=True)

            # Another page: the same <audio> element plays on.
            page.evaluate("document.querySelector('[data-player-audio]').dataset.kept = 'yes'")
            title_playing = playing(page)
            page.click(".topbar nav >> text=Library")
            expect(page.locator("main h1")).to_have_text("Library")
            audio = "document.querySelector('[data-player-audio]')"
            assert page.evaluate(f"{audio}.dataset.kept") == "yes"
            start = page.evaluate(f"{audio}.currentTime")
            page.wait_for_function(f"(t) => {audio}.currentTime > t + 0.5", arg=start)
            assert not page.evaluate(f"{audio}.paused")
            assert playing(page) == title_playing

            # Save the queue as a playlist, open it, export it as M3U8.
            queue_length = page.locator("[data-queue-list] li").count()
            page.fill("[data-playlist-name]", "Late radio")
            page.click("[data-action=save]")
            saved = page.locator("[data-saved-link]")
            expect(saved).to_be_visible()
            saved.click()
            expect(page.locator("main h1")).to_have_text("Late radio")
            assert page.evaluate(f"{audio}.dataset.kept") == "yes"
            with page.expect_download() as download_info:
                page.click("a[data-export=m3u8]")
            exported = Path(download_info.value.path()).read_text()
            page.screenshot(path=str(ARTIFACTS / "playlist.png"), full_page=True)
        finally:
            page.screenshot(path=str(ARTIFACTS / "listening-last-page.png"), full_page=True)
            browser.close()

    lines = exported.splitlines()
    assert lines[:2] == ["#EXTM3U", "#PLAYLIST:Late radio"]
    locations = [line for line in lines if line and not line.startswith("#")]
    assert len(locations) == queue_length
    assert locations[0] == f"{base}/songs/{library['Seed'].pk}/audio/"
    playlist = Playlist.objects.get(owner=user, name="Late radio")
    assert playlist.kind == Playlist.Kind.RADIO and playlist.items.count() == queue_length
    # The two skips and the dislike were recorded as short plays, and the dislike as such.
    skipped = set(
        Play.objects.filter(user=user, skipped=True).values_list("song__title", flat=True)
    )
    assert {"Seed", now} <= skipped
    assert user.dislikes.get().song.title == now
