"""`manage.py evaluate_classifier [--version V] [--data ROOT]`: score a stored model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.artifacts import model_version_artifact_dir
from classifier.dataset import dataset_files
from classifier.evaluation import LabelledFile, evaluate_files
from classifier.inference import Predictor
from classifier.models import ModelVersion
from classifier.selectors import model_version_active
from library.models import Song


class Command(BaseCommand):
    help = (
        "Score a model version (the active one by default) on its own test split, or on a "
        "labelled ROOT/<genre>/<file> folder it never saw."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The interface uses --version for the model version; Django's own --version
        # (print Django's version) gives way to it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="version_name", help="Model version name.")
        parser.add_argument("--data", type=Path, help="Labelled folder ROOT/<genre>/<file>.")

    def handle(self, *args: Any, version_name: str | None, data: Path | None, **opts: Any) -> None:
        version = self._version(version_name)
        artifact_dir = model_version_artifact_dir(version)
        if not artifact_dir.is_dir():
            raise CommandError(f"The artifact of {version.name} is missing ({artifact_dir}).")
        predictor = Predictor.load(artifact_dir)
        if data is not None:
            if not data.is_dir():
                raise CommandError(f"{data} is not a folder (expected ROOT/<genre>/<file>).")
            files = [
                LabelledFile(path=path, genre=genre, name=str(path.relative_to(data)))
                for genre, path in dataset_files(data)
            ]
            where = f"{data}"
        else:
            test_ids = version.training.get("split", {}).get("test", [])
            songs = Song.objects.filter(id__in=test_ids, genre__isnull=False).select_related(
                "genre"
            )
            files = [
                LabelledFile(path=Path(s.audio.path), genre=s.genre.name, name=str(s))
                for s in songs
                if s.genre is not None
            ]
            removed = len(test_ids) - len(files)
            where = f"its test split ({len(files)} songs"
            where += f", {removed} since removed)" if removed else ")"
        if not files:
            raise CommandError(f"No labelled songs to evaluate in {where}.")

        self.stdout.write(f"Evaluating {version.name} on {where}")
        report = evaluate_files(
            predictor=predictor,
            files=files,
            on_progress=self._progress,
        )
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped {line}"))
        if report.metrics is None:
            raise CommandError("No song could be evaluated.")
        self.stdout.write(report.metrics.summary())

    def _progress(self, done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            self.stdout.write(f"  {done}/{total} songs")

    def _version(self, name: str | None) -> ModelVersion:
        if name is None:
            version = model_version_active()
            if version is None:
                raise CommandError("No active model: pass --version NAME or train one first.")
            return version
        try:
            return ModelVersion.objects.get(name=name)
        except ModelVersion.DoesNotExist:
            raise CommandError(f"No model version {name!r}.") from None
