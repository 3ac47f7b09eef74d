"""End to end in a real headless Chromium: a curator teaches Timbre two labels and retrains it.

Real web server, PostgreSQL, Redis and Celery worker; the retraining runs in the worker and the
page follows it until the new version is active. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files import File

from classifier.analysis import Outcome, song_analyze
from classifier.models import ModelVersion
from demo.synth import write_song
from library.models import Song
from library.services import genre_get_or_create, song_create
from tests.factories import make_user
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

TIMEOUT_MS = 300_000  # cross-validation and training on two cores
STYLES = ("synth-swing", "synth-techno")


def _add_song(path: Path, *, genre: str | None) -> Song:
    with path.open("rb") as handle:
        song = song_create(
            owner=None, upload=File(handle, name=path.name), original_filename=path.name,
            source=Song.Source.DATASET,
            genre=genre_get_or_create(name=genre) if genre else None,
        ).song  # fmt: skip
    assert song_analyze(song_id=song.pk) in {Outcome.DONE, Outcome.BUSY, Outcome.SKIPPED}
    return song


@pytest.fixture
def half_labelled_library(ready_model: ModelVersion, tmp_path: Path) -> dict[str, str]:
    """Two labelled songs per style (too few to train on) and two unlabelled ones per style.

    Returns the unlabelled songs' file names -> true style.
    """
    truth = {}
    for index, style in enumerate(STYLES):
        for seed in range(4):
            name = f"{style}-{seed}.flac"
            path = write_song(tmp_path / name, style=style, seconds=8, seed=60 + 10 * index + seed)
            labelled = seed < 2
            _add_song(path, genre=style if labelled else None)
            if not labelled:
                truth[name] = style
    return truth


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run does it)")
def test_teach_two_labels_then_retrain_activates_the_new_version(
    live_server: object,
    celery_worker: object,
    half_labelled_library: dict[str, str],
    ready_model: ModelVersion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    curator = make_user("curator", password="teach me genres")
    curator.is_staff = True
    curator.save(update_fields=["is_staff"])
    base = live_server.url  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "curator")
            page.fill("#id_password", "teach me genres")
            page.click("form button[type=submit]")
            page.goto(f"{base}/teach/")
            expect(page.locator("#label-count")).to_have_text("0")

            taught: set[str] = set()
            while {half_labelled_library[name] for name in taught} != set(STYLES):
                page.wait_for_load_state("load")
                current = page.locator("#current-song")
                song_id = current.get_attribute("data-song-id")
                name = current.locator("p.muted").first.inner_text().strip()
                style = half_labelled_library[name]
                if style in {half_labelled_library[n] for n in taught}:
                    current.locator("button[value=skip]").click()
                    # The next song's page must be loaded before its form is filled in: a select
                    # filled in on the old page would leave the new one at its first genre.
                    expect(page.locator("#current-song")).not_to_have_attribute(
                        "data-song-id", song_id or ""
                    )
                    continue
                page.select_option("#other-genre", style)
                current.locator("form:has(#other-genre) button[type=submit]").click()
                taught.add(name)
                expect(page.locator("#label-count")).to_have_text(str(len(taught)))
            page.screenshot(path=str(ARTIFACTS / "teach-page.png"), full_page=True)

            page.click("#retrain")
            status = page.locator("#training-status")
            expect(status).to_have_attribute("data-state", re.compile("activated|done|failed"))
            message = status.inner_text()
            assert status.get_attribute("data-state") == "activated", message
            assert "is active: cross-validated accuracy" in message
        finally:
            page.screenshot(path=str(ARTIFACTS / "teach-last-page.png"), full_page=True)
            browser.close()

    active = ModelVersion.objects.get(is_active=True)
    assert active != ready_model
    assert active.class_names == list(STYLES)
    assert "cv" in active.metrics
