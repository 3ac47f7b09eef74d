"""`manage.py import_dataset ROOT [--owner USER]`: import a GTZAN-style labelled folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.dataset import MetadataError, dataset_import, read_metadata


class Command(BaseCommand):
    help = "Import labelled songs from ROOT/<genre>/<file> (duplicates are skipped by content)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("root", type=Path, help="Folder with one sub-folder per genre.")
        parser.add_argument("--owner", help="Username owning the songs (default: shared dataset).")
        parser.add_argument(
            "--metadata",
            type=Path,
            help="CSV with columns file,artist,title (file relative to ROOT): fills artist and "
            "title, which cross-validation groups songs by.",
        )

    def handle(
        self, *args: Any, root: Path, owner: str | None, metadata: Path | None, **options: Any
    ) -> None:
        user = None
        if owner:
            try:
                user = get_user_model().objects.get(username=owner)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {owner!r}.") from None
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder (expected ROOT/<genre>/<file>).")

        def progress(done: int, total: int, relative: str, outcome: str) -> None:
            self.stdout.write(f"[{done:>{len(str(total))}}/{total}] {relative}: {outcome}")

        known = {}
        if metadata is not None:
            try:
                known = read_metadata(metadata)
            except (OSError, MetadataError) as error:
                raise CommandError(f"Cannot use {metadata}: {error}") from None
        report = dataset_import(root=root, owner=user, metadata=known, on_progress=progress)
        if not report.genres and not report.rejected:
            raise CommandError(f"No files found under {root}/<genre>/.")
        self.stdout.write("")
        self.stdout.write(f"{'genre':<20} {'imported':>9} {'duplicates':>11}")
        for genre in report.genres:
            self.stdout.write(
                f"{genre:<20} {report.created[genre]:>9} {report.duplicates[genre]:>11}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(report.created.values())} imported, {sum(report.duplicates.values())} "
                f"duplicates skipped, {len(report.rejected)} rejected."
            )
        )
        for rejected in report.rejected:
            self.stdout.write(self.style.WARNING(f"rejected {rejected.path}: {rejected.message}"))
