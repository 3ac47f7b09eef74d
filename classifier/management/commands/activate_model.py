"""`manage.py activate_model NAME`: make a trained model version the active one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.models import ModelVersion
from classifier.services import model_version_activate


class Command(BaseCommand):
    help = "Make a model version the active one (new uploads and recommendations use it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Model version name, as listed in admin.")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            version = ModelVersion.objects.get(name=name)
        except ModelVersion.DoesNotExist:
            known = ", ".join(ModelVersion.objects.values_list("name", flat=True)[:10]) or "none"
            raise CommandError(f"No model version {name!r} (known: {known}).") from None
        model_version_activate(version=version)
        self.stdout.write(self.style.SUCCESS(f"{version.name} is now the active model."))
