"""Teaching Timbre: suggestions, answers (commands, API, page), the demo notice and removal."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from classifier.labelling import label_suggestion_list, labels_since_training_count
from classifier.models import LabelAnswer, TrainingRun
from demo.synth import write_song
from library.models import Genre, Song
from tests.factories import (
    make_analysed_song,
    make_genre,
    make_serving_version,
    make_song,
    make_user,
)

pytestmark = pytest.mark.django_db

GENRES = ["jazz", "rock", "techno"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _vector(index: int) -> np.ndarray:
    vector = np.zeros(128, dtype=np.float32)
    vector[index] = 1.0
    return vector


@pytest.fixture
def library() -> dict[str, Song]:
    """Three analysed unlabelled songs (sure, torn, fairly unsure) and one labelled one."""
    version = make_serving_version(class_names=GENRES)
    for name in GENRES:
        make_genre(name)
    songs = {
        "sure": make_analysed_song(
            version=version, embedding=_vector(0), title="Sure",
            probabilities={"jazz": 0.9, "rock": 0.05, "techno": 0.05},
        ),
        "torn": make_analysed_song(
            version=version, embedding=_vector(1), title="Torn",
            probabilities={"jazz": 0.41, "rock": 0.40, "techno": 0.19},
        ),
        "unsure": make_analysed_song(
            version=version, embedding=_vector(2), title="Unsure",
            probabilities={"jazz": 0.2, "rock": 0.3, "techno": 0.5},
        ),
    }  # fmt: skip
    songs["labelled"] = make_analysed_song(
        version=version, embedding=_vector(3), title="Labelled",
        probabilities={"jazz": 0.5, "rock": 0.5}, genre=Genre.objects.get(name="rock"),
    )  # fmt: skip
    return songs


def staff_client(api: bool = False) -> Client | APIClient:
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def test_suggestions_put_the_closest_call_first_and_skip_labelled_songs(
    library: dict[str, Song],
) -> None:
    suggestions = label_suggestion_list(count=10)

    assert [s.song.title for s in suggestions] == ["Torn", "Unsure", "Sure"]
    assert [g.genre for g in suggestions[0].guesses] == ["jazz", "rock", "techno"]


def test_suggest_labels_prints_id_file_and_guesses(library: dict[str, Song]) -> None:
    output = run("suggest_labels", "--count", "2")

    lines = output.strip().splitlines()
    assert len(lines) == 2
    song_id, _, guesses = lines[0].split("\t")
    assert int(song_id) == library["torn"].pk
    assert guesses.startswith("jazz 0.41, rock 0.40")


def test_label_songs_applies_rows_and_reports_unknown_ids_and_genres(
    library: dict[str, Song], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "song_id,genre\n"
        f"{library['torn'].pk},rock\n"
        f"{library['unsure'].pk},not-music\n"
        "999999,jazz\n"
        f"{library['sure'].pk},polka\n"
    )

    output = run("label_songs", str(answers))

    assert "2 songs labelled, 2 rows not applied." in output
    assert "unknown song id '999999'" in output
    assert "unknown genre 'polka'" in output
    library["torn"].refresh_from_db()
    assert library["torn"].genre.name == "rock"
    assert LabelAnswer.objects.filter(verdict=LabelAnswer.Verdict.NOT_MUSIC).count() == 1
    assert [s.song.title for s in label_suggestion_list(count=10)] == ["Sure"]
    assert labels_since_training_count() == 1


def test_label_api_is_for_staff_and_answers_in_one_shape(library: dict[str, Song]) -> None:
    user_client = APIClient()
    user_client.force_login(make_user())
    assert user_client.get("/api/label-suggestions/").status_code == 403

    client = staff_client(api=True)
    listing = client.get("/api/label-suggestions/?count=2").json()
    assert [r["title"] for r in listing["results"]] == ["Torn", "Unsure"]
    assert listing["results"][0]["guesses"][0] == {"genre": "jazz", "probability": 0.41}

    answered = client.post(
        f"/api/songs/{library['torn'].pk}/label/", {"genre": "jazz"}, format="json"
    )
    assert answered.status_code == 201
    assert answered.json() == {
        "song_id": library["torn"].pk, "verdict": "genre", "genre": "jazz",
        "labels_since_training": 1,
    }  # fmt: skip
    refused = client.post(
        f"/api/songs/{library['torn'].pk}/label/", {"genre": "polka"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert (
        client.post("/api/songs/999999/label/", {"genre": "jazz"}, format="json").status_code == 404
    )


def test_teach_page_offers_the_top_guesses_and_records_a_click(
    library: dict[str, Song],
) -> None:
    client = staff_client()

    page = client.get("/teach/").content.decode()
    assert "Torn" in page and "Retrain now" in page
    assert 'value="jazz"' in page and "Not music" in page

    response = client.post(f"/teach/songs/{library['torn'].pk}/label/", {"genre": "rock"})
    assert response.status_code == 302
    library["torn"].refresh_from_db()
    assert library["torn"].genre.name == "rock"
    assert "1</strong> label since the last training" in client.get("/teach/").content.decode()


def test_teach_page_shows_how_a_finished_training_ended(library: dict[str, Song]) -> None:
    # A run that ended before the page loaded (too few songs per genre fails at once) is shown
    # with its outcome and state, not left as if it had never been asked for.
    TrainingRun.objects.create(
        status=TrainingRun.Status.FAILED, message="Each genre needs at least 3 songs."
    )
    page = staff_client().get("/teach/").content.decode()
    assert 'data-state="failed"' in page
    assert "Each genre needs at least 3 songs." in page


def test_teach_page_is_hidden_from_other_users(library: dict[str, Song]) -> None:
    client = Client()
    client.force_login(make_user())
    assert client.get("/teach/").status_code == 404


def test_every_page_says_when_the_model_knows_only_synthetic_styles() -> None:
    make_serving_version(class_names=["synth-rock", "synth-techno"])
    for name in ("synth-rock", "synth-techno"):
        Genre.objects.create(name=name, is_synthetic=True)
    client = Client()
    client.force_login(make_user())

    page = client.get("/").content.decode()

    assert 'id="synthetic-model-notice"' in page
    assert client.get("/teach/how/").status_code == 200


def test_no_demo_notice_for_a_model_of_real_genres(library: dict[str, Song]) -> None:
    client = Client()
    client.force_login(make_user())

    assert 'id="synthetic-model-notice"' not in client.get("/").content.decode()


def test_remove_demo_library_deletes_demo_songs_and_styles_only() -> None:
    run("make_demo_library", "--songs-per-style", "1", "--seconds", "4")
    real = make_song(genre=make_genre("jazz"))

    output = run("remove_demo_library")

    assert "6 demo songs and 6 demo styles removed." in output
    assert list(Song.objects.all()) == [real]
    assert not Genre.objects.filter(is_synthetic=True).exists()


def test_import_songs_imports_unlabelled_music_recursively_and_lists_rejects(
    tmp_path: Path,
) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    write_song(tmp_path / "a" / "one.flac", style="synth-swing", seconds=4.0, seed=1)
    write_song(tmp_path / "a" / "b" / "two.flac", style="synth-techno", seconds=4.0, seed=2)
    (tmp_path / "a" / "notes.mp3").write_text("not audio\n" * 50)
    owner = make_user("ada")

    output = run("import_songs", str(tmp_path / "a"), "--owner", "ada", "--shared")

    assert "2 imported, 0 duplicates skipped, 1 rejected." in output
    assert "rejected notes.mp3:" in output
    songs = Song.objects.filter(owner=owner)
    assert songs.count() == 2
    assert all(s.genre is None and s.is_public for s in songs)
    again = run("import_songs", str(tmp_path / "a"), "--owner", "ada")
    assert "0 imported, 2 duplicates skipped" in again
    with pytest.raises(CommandError, match="--shared needs --owner"):
        run("import_songs", str(tmp_path / "a"), "--shared")
