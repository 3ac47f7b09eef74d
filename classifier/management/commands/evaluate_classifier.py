"""`manage.py evaluate_classifier [--version V] [--data ROOT]`: score a stored model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.artifacts import model_version_artifact_dir
from classifier.dataset import dataset_files
from classifier.evaluation import LabelledFile, evaluate_files
from classifier.inference import Predictor
from classifier.models import ModelVersion
from classifier.selectors import model_version_active


class Command(BaseCommand):
    help = (
        "Score a model version (the active one by default) on a labelled ROOT/<genre>/<file> "
        "folder it never heard, or print its cross-validated figures."
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
        if data is None:
            self._print_cross_validation(version)
            return
        artifact_dir = model_version_artifact_dir(version)
        if not artifact_dir.is_dir():
            raise CommandError(f"The artifact of {version.name} is missing ({artifact_dir}).")
        if not data.is_dir():
            raise CommandError(f"{data} is not a folder (expected ROOT/<genre>/<file>).")
        files = [
            LabelledFile(path=path, genre=genre, name=str(path.relative_to(data)))
            for genre, path in dataset_files(data)
        ]
        if not files:
            raise CommandError(f"No labelled songs to evaluate in {data}.")
        self.stdout.write(f"Evaluating {version.name} on {data}")
        report = evaluate_files(
            predictor=Predictor.load(artifact_dir),
            files=files,
            genre_weight=float(settings.RECOMMENDER_GENRE_WEIGHT),
            on_progress=self._progress,
        )
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped {line}"))
        if report.metrics is None:
            raise CommandError("No song could be evaluated.")
        self.stdout.write(report.summary())

    def _print_cross_validation(self, version: ModelVersion) -> None:
        """The figures stored at training time: the final model saw every labelled song."""
        cv = (version.metrics or {}).get("cv")
        if not cv:
            raise CommandError(
                f"{version.name} has no cross-validated figures (trained before they existed); "
                "evaluate it on songs it never heard with --data ROOT."
            )
        self.stdout.write(
            f"{version.name}: {version.metrics['evaluation']} "
            f"({cv['n_tracks']} songs scored, each by a model that never heard its artist)"
        )
        self.stdout.write(f"track accuracy: {cv['track_accuracy']['mean']:.3f}")
        self.stdout.write(f"macro F1: {cv['macro_f1']['mean']:.3f}")
        self.stdout.write(f"purity@10: {cv['purity_at_10']['mean']:.3f}")
        self.stdout.write(f"ECE: {cv['ece']:.3f}")
        self.stdout.write(f"unsure: {cv['unsure']} of {cv['n_tracks']}")

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
