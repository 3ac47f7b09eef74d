"""First-run set-up for `make run`: a fresh install gets a demo library and a first model."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from classifier.dataset import labelled_songs
from classifier.selectors import model_version_active
from classifier.services import model_version_train
from classifier.trainer import TrainingOptions
from classifier.training import TrainingDataError


class Command(BaseCommand):
    help = (
        "Prepare a fresh install (called by `make run`): with no active model, synthesise the "
        "demo library if nothing is labelled, then train and activate a first model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--songs-per-style", type=int, default=8)

    def handle(self, *args: Any, songs_per_style: int, **options: Any) -> None:
        model = model_version_active()
        if model is not None:
            self.stdout.write(f"· active model: {model.name}")
            return
        if not labelled_songs():
            self.stdout.write("· fresh install: synthesising the demo library (synthetic songs)")
            call_command("make_demo_library", songs_per_style=songs_per_style, stdout=self.stdout)
        self.stdout.write("· training a first genre model on the labelled songs")
        try:
            version = model_version_train(
                # Three folds keep the first run short; the demo styles are easy to tell apart.
                options=TrainingOptions(verbose=0, folds=3),
                activate=True,
                log=self.stdout.write,
            )
        except TrainingDataError as error:
            self.stdout.write(self.style.WARNING(f"· no model trained: {error}"))
            return
        self.stdout.write(self.style.SUCCESS(f"· {version.name} is the active model"))
