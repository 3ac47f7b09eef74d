"""`manage.py label_songs FILE.csv`: answers to suggest_labels, rows `song_id,genre`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.labelling import UnknownGenreError, label_answer
from library.models import Song


class Command(BaseCommand):
    help = (
        "Label songs from a CSV of rows song_id,genre (a header row is optional). The genre may "
        "also be 'not-music' or 'skip'. Unknown song ids and genres are reported, not applied."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--new-genres", action="store_true", help="Accept genres no song is labelled with yet."
        )

    def handle(self, *args: Any, file: Path, new_genres: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        labelled, problems = 0, []
        with file.open(newline="", encoding="utf-8-sig") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if not row or not "".join(row).strip():
                    continue
                if len(row) < 2:
                    problems.append(f"line {line}: expected song_id,genre")
                    continue
                song_id, genre = row[0].strip(), row[1].strip()
                if line == 1 and not song_id.isdigit():
                    continue  # a header
                song = Song.objects.filter(pk=int(song_id)).first() if song_id.isdigit() else None
                if song is None:
                    problems.append(f"line {line}: unknown song id {song_id!r}")
                    continue
                try:
                    label_answer(song=song, answer=genre, allow_new_genre=new_genres)
                except UnknownGenreError as error:
                    problems.append(f"line {line}: {error}")
                    continue
                labelled += 1
        for problem in problems:
            self.stdout.write(self.style.WARNING(problem))
        self.stdout.write(
            self.style.SUCCESS(f"{labelled} songs labelled, {len(problems)} rows not applied.")
        )
        if labelled:
            self.stdout.write("Retrain with: manage.py train_classifier --activate")
