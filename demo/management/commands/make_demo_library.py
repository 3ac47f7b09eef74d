"""`manage.py make_demo_library [--songs-per-style N]`: synthesise a labelled demo library."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.services import demo_library_create
from demo.synth import STYLES


class Command(BaseCommand):
    help = (
        f"Synthesise a small library of {len(STYLES)} procedural styles (clearly labelled "
        "synthetic) to listen to and to train a first model on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--songs-per-style", type=int, default=8)
        parser.add_argument("--seconds", type=float, default=30.0, help="Length of each song.")

    def handle(self, *args: Any, songs_per_style: int, seconds: float, **options: Any) -> None:
        if songs_per_style < 1:
            raise CommandError("--songs-per-style must be at least 1.")
        if not 3.0 <= seconds <= 600.0:
            raise CommandError("--seconds must be between 3 and 600.")

        def progress(done: int, total: int, title: str) -> None:
            self.stdout.write(f"[{done:>{len(str(total))}}/{total}] {title}")

        report = demo_library_create(
            songs_per_style=songs_per_style, seconds=seconds, on_progress=progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic demo library: {report.created} songs created, "
                f"{report.existing} already there."
            )
        )
