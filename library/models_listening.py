"""What a user does while listening: plays, "not for me", and playlists.

User-song facts, like likes: the recommender reads them (``recommender.feedback``) and never
writes them. Imported by ``library.models`` so that Django finds the models in the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

# A play shorter than this, of a song longer than it, counts softly against the song (a skip).
SKIP_SECONDS = 30.0


class Play(models.Model):
    """One listen: what, when, how far."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plays"
    )
    song = models.ForeignKey("library.Song", on_delete=models.CASCADE, related_name="plays")
    started_at = models.DateTimeField(auto_now_add=True)
    seconds_played = models.FloatField(help_text="How far the user listened, in seconds.")
    skipped = models.BooleanField(
        default=False,
        help_text=f"Left before {SKIP_SECONDS:.0f} s (and before the end of a shorter song).",
    )
    context = models.CharField(
        max_length=16, blank=True, help_text="Where it was played from: radio, mix, path, ..."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # A user's recent plays and skips steer their recommendations.
            models.Index(fields=["user", "-started_at"], name="play_user_recent_idx"),
            # "Popular" counts plays per song.
            models.Index(fields=["song", "skipped"], name="play_song_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seconds_played__gte=0), name="play_seconds_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} played {self.song} for {self.seconds_played:.0f} s"


class Dislike(models.Model):
    """ "Not for me": pushes the song and its close neighbours down for this user; undoable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dislikes"
    )
    song = models.ForeignKey("library.Song", on_delete=models.CASCADE, related_name="dislikes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "song"], name="dislike_unique_user_song"),
        ]

    def __str__(self) -> str:
        return f"{self.user} dislikes {self.song}"


# Most recently changed first. Named, because queries that aggregate (a GROUP BY drops
# Meta.ordering) must ask for it again.
PLAYLIST_ORDERING = ["-updated_at", "-id"]


class Playlist(models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", "Playlist"
        QUEUE = "queue", "Saved queue"
        RADIO = "radio", "Radio"
        MIX = "mix", "Mix"
        PATH = "path", "Path"
        IMPORT = "import", "Imported"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    is_public = models.BooleanField(
        default=False, help_text="Shared: every signed-in user may see and play it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = PLAYLIST_ORDERING

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:playlist_detail", args=[self.pk])


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    song = models.ForeignKey(
        "library.Song", on_delete=models.CASCADE, related_name="playlist_items"
    )
    position = models.PositiveIntegerField()
    note = models.CharField(
        max_length=200, blank=True, help_text="Why it is here, e.g. a mix's seed or a path step."
    )

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [
            # One song per slot. Deferred, so that a reorder can swap positions in one transaction.
            models.UniqueConstraint(
                fields=["playlist", "position"],
                name="playlist_item_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playlist} #{self.position}: {self.song}"
