"""The dataset and training commands, end to end on generated music and the real database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier.artifacts import model_version_artifact_dir
from classifier.inference import Predictor
from classifier.models import ModelVersion
from classifier.nets.weights_file import musicnn_weights_path
from demo.synth import write_song
from library.models import Genre, Song
from tests.factories import make_genre, make_song

pytestmark = pytest.mark.django_db

STYLES = ("synth-techno", "synth-ambient", "synth-swing")
SONGS_PER_STYLE = 5

needs_weights = pytest.mark.skipif(
    not musicnn_weights_path().is_file(), reason="musicnn weights not converted: run `make weights`"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROOT/<style>/<file>: 3 synthetic styles x 5 songs of 8 s, and a text file named .mp3."""
    root = tmp_path_factory.mktemp("dataset")
    for style in STYLES:
        (root / style).mkdir()
        for seed in range(SONGS_PER_STYLE):
            write_song(root / style / f"{seed}.flac", style=style, seconds=8.0, seed=seed)
    (root / STYLES[0] / "notes.mp3").write_text("lyrics, not a recording\n" * 20)
    (root / ".DS_Store").write_bytes(b"\0\0")
    return root


def test_import_dataset_reports_counts_rejections_and_skips_duplicates(tiny_dataset: Path) -> None:
    output = run("import_dataset", str(tiny_dataset))

    assert Song.objects.filter(source=Song.Source.DATASET).count() == 15
    assert set(Genre.objects.values_list("name", flat=True)) == set(STYLES)
    assert "15 imported, 0 duplicates skipped, 1 rejected." in output
    assert "rejected synth-techno/notes.mp3:" in output
    assert "[16/16]" in output  # progress per file

    again = run("import_dataset", str(tiny_dataset))

    assert Song.objects.count() == 15
    assert "0 imported, 15 duplicates skipped" in again


def test_import_dataset_rejects_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        run("import_dataset", str(tmp_path / "nope"))


@needs_weights
def test_train_classifier_trains_on_every_song_and_reports_cross_validation(
    tiny_dataset: Path,
) -> None:
    run("import_dataset", str(tiny_dataset))

    output = run("train_classifier", "--activate", "--seed", "3", "--folds", "3")

    version = ModelVersion.objects.get(is_active=True)
    assert version.architecture == "musicnn"
    assert version.class_names == sorted(STYLES)
    # One synthetic artist per style: nothing to measure across artists, so folds are by song.
    assert "3-fold cross-validation grouped by song" in output
    assert version.metrics["evaluation"] == "3-fold cross-validation grouped by song"
    # Two 3-s segments per song and ten training songs per fold: better than chance, not perfect.
    assert version.metrics["track_accuracy"] >= 0.6
    assert f"track accuracy: {version.metrics['track_accuracy']:.3f} ± " in output
    assert 0.0 <= version.metrics["ece"] <= 1.0
    assert set(version.training["split"]["train"]) == set(Song.objects.values_list("id", flat=True))
    artifact = model_version_artifact_dir(version)
    assert (artifact / "confusion.png").stat().st_size > 1000
    sidecar = json.loads((artifact / "model.json").read_text())
    assert sidecar["format_version"] == 2
    assert sidecar["feature_params"]["preset"] == "musicnn"
    assert sidecar["calibration"]["temperature"] > 0

    prediction = Predictor.load(artifact).predict_file(tiny_dataset / "synth-swing" / "0.flac")
    assert prediction.predicted_genre == "synth-swing"
    assert prediction.embedding.shape == (128,)
    assert np.linalg.norm(prediction.embedding) == pytest.approx(1.0, abs=1e-5)
    assert len(prediction.tags) == 50
    assert (artifact / "music_reference.npz").is_file()
    assert prediction.music_score is not None
    assert not prediction.is_not_music  # a labelled song is music by construction

    stored = run("evaluate_classifier")
    assert f"track accuracy: {version.metrics['track_accuracy']:.3f}" in stored
    assert "unsure: " in stored
    evaluation = run("evaluate_classifier", "--data", str(tiny_dataset))
    lines = evaluation.splitlines()
    for prefix in ("track accuracy: ", "macro F1: ", "purity@10: ", "ECE: ", "unsure: "):
        assert any(line.startswith(prefix) for line in lines), prefix

    run("train_classifier", "--seed", "3", "--folds", "3")
    assert ModelVersion.objects.get(is_active=True) == version  # not activated without --activate


@needs_weights
def test_train_classifier_leaves_demo_songs_out_when_real_ones_exist(tiny_dataset: Path) -> None:
    run("import_dataset", str(tiny_dataset))
    run("make_demo_library", "--songs-per-style", "1", "--seconds", "4")

    run("train_classifier", "--folds", "2", "--epochs", "2")
    version = ModelVersion.objects.get()
    assert version.class_names == sorted(STYLES)  # the six synthetic demo styles are not there

    # With them, the one song per demo style is counted (and too few to train on).
    with pytest.raises(CommandError, match="synth-rock"):
        run("train_classifier", "--folds", "2", "--epochs", "2", "--include-demo")


def test_import_dataset_fills_artist_and_title_from_metadata(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    metadata = tmp_path / "artists.csv"
    metadata.write_text(
        "file,genre,artist,title\n"
        "synth-swing/0.flac,synth-swing,Ella Example,Swing One\n"
        "synth-swing/1.flac,synth-swing,,\n"
    )

    run("import_dataset", str(tiny_dataset), "--metadata", str(metadata))

    song = Song.objects.get(original_filename="0.flac", genre__name="synth-swing")
    assert (song.artist, song.title) == ("Ella Example", "Swing One")


def test_import_dataset_refuses_metadata_without_its_columns(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    metadata = tmp_path / "bad.csv"
    metadata.write_text("path,who\nx,y\n")

    with pytest.raises(CommandError, match="artist, file, title"):
        run("import_dataset", str(tiny_dataset), "--metadata", str(metadata))


def test_train_classifier_without_labelled_songs_says_how_to_get_some() -> None:
    with pytest.raises(CommandError, match=r"No labelled songs .* import_dataset"):
        run("train_classifier")


def test_train_classifier_names_the_genre_with_too_few_songs() -> None:
    for _ in range(3):
        make_song(genre=make_genre("jazz"))
    for _ in range(2):
        make_song(genre=make_genre("polka"))

    with pytest.raises(CommandError, match="polka"):
        run("train_classifier")


def test_train_classifier_refuses_an_unknown_architecture() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'vgg'"):
        run("train_classifier", "--arch", "vgg")


def test_train_classifier_explains_missing_pretrained_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TIMBRE_DATA_DIR", str(tmp_path))
    for genre in ("jazz", "rock"):
        for _ in range(3):
            make_song(genre=make_genre(genre))

    with pytest.raises(CommandError, match="make weights"):
        run("train_classifier")


def test_make_demo_library_is_labelled_synthetic_and_idempotent() -> None:
    output = run("make_demo_library", "--songs-per-style", "1", "--seconds", "4")

    songs = Song.objects.select_related("genre")
    assert songs.count() == 6
    assert all(song.source == Song.Source.SYNTHETIC and song.genre.is_synthetic for song in songs)
    assert all(song.genre.label.endswith("(synthetic)") for song in songs)
    assert all(song.title and song.artist for song in songs)  # from the files' tags
    assert "6 songs created" in output

    again = run("make_demo_library", "--songs-per-style", "1", "--seconds", "4")
    assert Song.objects.count() == 6
    assert "0 songs created, 6 already there" in again


@needs_weights
def test_train_classifier_other_architectures_run_end_to_end(tiny_dataset: Path) -> None:
    """The reference CNN from scratch, and musicnn fine-tuned: one epoch each, artifacts work."""
    run("import_dataset", str(tiny_dataset))

    for args, architecture in ((("--arch", "seed"), "seed"), (("--fine-tune",), "musicnn")):
        run("train_classifier", *args, "--epochs", "1", "--batch-size", "16", "--folds", "2")
        version = ModelVersion.objects.order_by("-id").first()
        assert version.architecture == architecture
        assert version.training["epochs_run"] == 1
        assert 0.0 <= version.metrics["track_accuracy"] <= 1.0
        predictor = Predictor.load(model_version_artifact_dir(version))
        prediction = predictor.predict_file(tiny_dataset / "synth-techno" / "0.flac")
        assert prediction.embedding.shape == (128,)
        assert set(prediction.probabilities) == set(STYLES)
