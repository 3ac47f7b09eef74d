"""`manage.py suggest_labels [--count N]`: the songs whose label would teach the model most."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.labelling import label_suggestion_list
from classifier.selectors import model_version_active


class Command(BaseCommand):
    help = (
        "Print analysed, unlabelled songs whose genre the active model is least sure of (spread "
        "out), one per line: song_id<TAB>original file name<TAB>top guesses. Answer them with "
        "`label_songs FILE.csv` (rows song_id,genre)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=20)

    def handle(self, *args: Any, count: int, **options: Any) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if model_version_active() is None:
            raise CommandError("No active model: train one first (train_classifier --activate).")
        for suggestion in label_suggestion_list(count=count):
            guesses = ", ".join(f"{g.genre} {g.probability:.2f}" for g in suggestion.guesses)
            name = suggestion.song.original_filename or suggestion.song.title
            self.stdout.write(f"{suggestion.song.pk}\t{name}\t{guesses}")
