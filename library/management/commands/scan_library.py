"""`manage.py scan_library [PATH ...] [--background]`: index music folders in place."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from library.services.scans import ScanError, ScanProgress, library_scan
from library.tasks import scan_music_dirs


def progress_line(progress: ScanProgress) -> str:
    eta = "?" if progress.eta is None else f"{progress.eta:.0f} s"
    return (
        f"{progress.done}/{progress.total} files, {progress.rate:.1f} files/s, "
        f"{progress.elapsed:.0f} s elapsed, ETA {eta}"
    )


class Command(BaseCommand):
    help = (
        "Index the audio files under PATH (default: the MUSIC_DIRS setting) where they are, "
        "read-only: new files are added, changed ones re-analysed, moved ones keep their song, "
        "vanished ones are marked missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="Folders to scan (default: MUSIC_DIRS).")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Ask a worker to scan MUSIC_DIRS and return at once.",
        )

    def handle(self, *args: Any, paths: list[str], background: bool, **options: Any) -> None:
        if background:
            if paths:
                raise CommandError("--background scans MUSIC_DIRS; give no PATH.")
            scan_music_dirs.delay()
            self.stdout.write("A worker will scan MUSIC_DIRS.")
            return
        paths = paths or list(settings.MUSIC_DIRS)
        if not paths:
            raise CommandError("Give a PATH, or set MUSIC_DIRS.")

        def show(progress: ScanProgress) -> None:
            self.stdout.write(progress_line(progress))

        try:
            report = library_scan(paths=paths, progress=show)
        except ScanError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(report.summary()))
        for rejected in report.rejected:
            self.stdout.write(self.style.WARNING(f"rejected {rejected.path}: {rejected.reason}"))
