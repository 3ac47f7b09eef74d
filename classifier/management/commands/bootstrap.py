"""First-run set-up for `make run`: make sure a fresh install has something to use."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classifier.selectors import model_version_active


class Command(BaseCommand):
    help = "Prepare a fresh install (called by `make run`); does nothing when a model is active."

    def handle(self, *args: Any, **options: Any) -> None:
        model = model_version_active()
        if model is not None:
            self.stdout.write(f"· active model: {model.name}")
            return
        self.stdout.write("· no active model yet: uploads wait until one is trained")
