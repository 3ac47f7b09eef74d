"""`manage.py analyze [--all | --failed | SONG_ID ...]`: (re)queue analyses by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.selectors import model_version_active
from library.models import Song
from library.services.songs import songs_requeue


class Command(BaseCommand):
    help = "Queue songs for analysis with the active model (a worker must be running)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="Every song, re-analysed.")
        group.add_argument("--failed", action="store_true", help="Songs that failed.")
        group.add_argument("song_ids", nargs="*", type=int, default=[], metavar="SONG_ID")

    def handle(self, *args: Any, song_ids: list[int], **options: Any) -> None:
        if options["all"]:
            songs = Song.objects.all()
        elif options["failed"]:
            songs = Song.objects.filter(status=Song.Status.FAILED)
        elif song_ids:
            songs = Song.objects.filter(pk__in=song_ids)
            missing = set(song_ids) - set(songs.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No song with id {', '.join(map(str, sorted(missing)))}.")
        else:
            raise CommandError("Say what to analyse: --all, --failed or song ids.")
        count = songs_requeue(songs=songs, force=bool(options["all"] or song_ids))
        self.stdout.write(self.style.SUCCESS(f"Queued {count} songs for analysis."))
        if model_version_active() is None:
            self.stdout.write(
                self.style.WARNING("No model is active: they wait until one is trained.")
            )
