"""`manage.py import_songs PATH... [--owner USER] [--shared]`: bulk import of unlabelled music."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.dataset import songs_import


class Command(BaseCommand):
    help = (
        "Import every file under the paths (recursively) as unlabelled songs, through the same "
        "checks as uploads (content probe, duplicates, size and quota), and queue their analyses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--owner", help="Username owning the songs (default: shared dataset).")
        parser.add_argument(
            "--shared", action="store_true", help="Share the owner's songs to the library."
        )

    def handle(
        self, *args: Any, paths: list[Path], owner: str | None, shared: bool, **options: Any
    ) -> None:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"Not found: {', '.join(missing)}")
        if shared and not owner:
            raise CommandError("--shared needs --owner (songs without one are always shared).")
        user = None
        if owner:
            try:
                user = get_user_model().objects.get(username=owner)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {owner!r}.") from None

        def progress(done: int, total: int, relative: str, outcome: str) -> None:
            self.stdout.write(f"[{done:>{len(str(total))}}/{total}] {relative}: {outcome}")

        report = songs_import(paths=paths, owner=user, shared=shared, on_progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} imported, {report.duplicates} duplicates skipped, "
                f"{len(report.rejected)} rejected. New songs are queued for analysis."
            )
        )
        for rejected in report.rejected:
            self.stdout.write(self.style.WARNING(f"rejected {rejected.path}: {rejected.message}"))
