"""`manage.py remove_demo_library`: delete the synthetic demo songs once real music is in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classifier.selectors import model_version_knows_only_synthetic
from demo.services import demo_library_remove


class Command(BaseCommand):
    help = "Delete every synthetic demo song, its audio file and the unused demo styles."

    def handle(self, *args: Any, **options: Any) -> None:
        removal = demo_library_remove()
        self.stdout.write(
            self.style.SUCCESS(
                f"{removal.songs} demo songs and {removal.genres} demo styles removed."
            )
        )
        if model_version_knows_only_synthetic():
            self.stdout.write(
                self.style.WARNING(
                    "The active model still knows only the demo styles: train one on real "
                    "labelled songs (train_classifier --activate)."
                )
            )
