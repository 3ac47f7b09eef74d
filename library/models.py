"""Songs, their genre labels and users' likes.

These tables were created by the first app (``recommender``) and keep its table names; the models
moved here with a state-only migration (``library/migrations/0001_initial.py``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Genre(models.Model):
    """A genre label. Labels are data (added by a dataset import or an admin), never code."""

    name = models.SlugField(max_length=64, unique=True, help_text="Stable label, e.g. 'jazz'.")
    display_name = models.CharField(max_length=100, blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text="A procedural demo style, not a real genre."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "recommender_genre"  # see migration 0001
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        text = self.display_name or self.name.replace("-", " ").replace("_", " ").title()
        return f"{text} (synthetic)" if self.is_synthetic else text


def song_audio_path(instance: Song, filename: str) -> str:
    """A generated storage name: the client's file name never reaches the file system."""
    return f"songs/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{instance.storage_suffix}"


class Song(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        PROCESSING = "processing", "Analysing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        DATASET = "dataset", "Dataset"
        SYNTHETIC = "synthetic", "Synthetic demo"
        SCAN = "scan", "Music folder"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="songs",
        null=True,
        blank=True,
        help_text="Empty for songs that belong to the shared dataset.",
    )
    title = models.CharField(max_length=255)
    artist = models.CharField(max_length=255, blank=True)
    audio = models.FileField(upload_to=song_audio_path, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Of the whole uploaded file.")
    size_bytes = models.BigIntegerField(default=0)
    audio_format = models.CharField(max_length=16, blank=True, help_text="Probed, not trusted.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    genre = models.ForeignKey(
        Genre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="songs",
        help_text="Ground-truth label, when known (dataset songs).",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    is_public = models.BooleanField(
        default=False,
        help_text="Shared to the library by its owner. Songs without an owner (the dataset) are "
        "visible to everyone; other uploads only to their owner.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Read from the file's tags (uploads and scans alike); empty or null when it has none.
    album = models.ForeignKey(
        "Album", on_delete=models.SET_NULL, null=True, blank=True, related_name="songs"
    )
    track_number = models.PositiveSmallIntegerField(null=True, blank=True)
    disc_number = models.PositiveSmallIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # db_default: rows written by raw SQL (bench loaders, older code during a deploy) stay valid.
    file_genre = models.CharField(
        max_length=100,
        blank=True,
        db_default="",
        help_text="The file's own genre tag, as written: neither a label nor a prediction.",
    )
    # A song scanned in place (source "scan") has no stored copy: its file is `relative_path`
    # under `folder`, read only through `library.files`.
    folder = models.ForeignKey(
        "MusicFolder", on_delete=models.PROTECT, null=True, blank=True, related_name="songs"
    )
    relative_path = models.CharField(max_length=1024, blank=True, db_default="")
    file_mtime_ns = models.BigIntegerField(null=True, blank=True)
    missing_since = models.DateTimeField(
        null=True, blank=True, help_text="When a scan last found the file gone (kept, not deleted)."
    )

    class Meta:
        db_table = "recommender_song"  # see migration 0001
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same bytes uploaded twice by one owner are one song. Dataset songs (no owner)
            # count as one owner, so NULLs must compare equal here.
            models.UniqueConstraint(
                fields=["owner", "sha256"],
                name="song_unique_file_per_owner",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "processing", "done", "failed"]),
                name="song_status_valid",
            ),
            # One song per file of a music folder.
            models.UniqueConstraint(
                fields=["folder", "relative_path"],
                condition=models.Q(folder__isnull=False),
                name="song_unique_folder_path",
            ),
        ]
        indexes = [
            # The sweeper and the library filters look songs up by status.
            models.Index(fields=["status", "updated_at"], name="song_status_idx"),
            # Cold start (no likes yet) lists the newest songs: an index-ordered scan, not a sort.
            models.Index(fields=["-created_at", "-id"], name="song_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title

    def get_absolute_url(self) -> str:
        return reverse("web:song_detail", args=[self.pk])

    @property
    def storage_suffix(self) -> str:
        return f".{self.audio_format}" if self.audio_format else ""

    @property
    def is_synthetic(self) -> bool:
        return self.source == self.Source.SYNTHETIC


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "recommender_like"  # see migration 0001
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "song"], name="like_unique_user_song"),
        ]

    def __str__(self) -> str:
        return f"{self.user} likes {self.song}"


class MusicFolder(models.Model):
    """A folder scanned in place (`MUSIC_DIRS` or `manage.py scan_library PATH`).

    Its songs' files are read only under its resolved path: a link out of it is never followed.
    """

    path = models.CharField(max_length=1024, unique=True, help_text="Absolute and resolved.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


def album_cover_path(instance: Album, filename: str) -> str:
    return f"covers/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"


class Album(models.Model):
    """An album as the files' tags name it: its title and album artist (else the track artist)."""

    title = models.CharField(max_length=255)
    artist = models.CharField(max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    cover = models.FileField(
        upload_to=album_cover_path,
        max_length=255,
        blank=True,
        help_text="A JPEG thumbnail of the embedded art or of cover.jpg/folder.jpg.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["artist", "title"]
        constraints = [
            # Songs of one album, scanned or uploaded at different times, meet on one row.
            models.UniqueConstraint(fields=["artist", "title"], name="album_unique_artist_title"),
        ]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title

    def get_absolute_url(self) -> str:
        return reverse("web:album_detail", args=[self.pk])


# Listening facts (plays, dislikes, playlists) live in their own module; importing them here
# registers them with the app.
from library.models_listening import Dislike, Play, Playlist, PlaylistItem  # noqa: E402

__all__ = [
    "Album",
    "Dislike",
    "Genre",
    "Like",
    "MusicFolder",
    "Play",
    "Playlist",
    "PlaylistItem",
    "Song",
]
