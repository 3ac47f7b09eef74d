"""Trained model versions and the analyses they produce."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from pgvector.django import HnswIndex, VectorField

from classifier.architectures import Architecture

EMBEDDING_DIM = 128


class ModelVersion(models.Model):
    """A trained classifier: a `.keras` artifact plus what is needed to use and judge it."""

    Architecture = Architecture  # the one list, also behind the trainer and feature presets

    name = models.CharField(max_length=100, unique=True)
    architecture = models.CharField(max_length=32, choices=Architecture.choices)
    artifact_path = models.CharField(
        max_length=500, help_text="The .keras file, relative to MODEL_DIR."
    )
    feature_params = models.JSONField(help_text="The frozen feature parameters it was trained on.")
    class_names = models.JSONField(help_text="Genre names in the order of the model's outputs.")
    metrics = models.JSONField(default=dict, blank=True)
    training = models.JSONField(
        default=dict, blank=True, help_text="Split sizes, hyper-parameters, data fingerprint."
    )
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    library_covered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When, after its last activation, it had analysed every song: from then on "
        "recommendations use it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Recommendations and new analyses use exactly one model at a time.
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="model_version_single_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}{' (active)' if self.is_active else ''}"


class Analysis(models.Model):
    """What one model version heard in one song."""

    song = models.ForeignKey("library.Song", on_delete=models.CASCADE, related_name="analyses")
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="analyses"
    )
    probabilities = models.JSONField(help_text="Genre name -> probability, averaged over segments.")
    predicted_genre = models.CharField(max_length=64)
    confidence = models.FloatField()
    embedding = VectorField(dimensions=EMBEDDING_DIM, help_text="Unit-norm track embedding.")
    tags = models.JSONField(
        default=dict, blank=True, help_text="Pretrained backbone's tag scores, when it has them."
    )
    segment_count = models.PositiveIntegerField(default=0)
    is_unsure = models.BooleanField(
        default=False,
        help_text="Calibrated confidence below the model's CV threshold.",
    )
    music_score = models.FloatField(
        null=True, blank=True, help_text="Distance from the labelled music (None: not measured)."
    )
    is_not_music = models.BooleanField(
        default=False, help_text="Speech, animal sounds or noise: kept out of recommendations."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "analyses"
        constraints = [
            # A redelivered task must not double-count a song: one row per song and model.
            models.UniqueConstraint(
                fields=["song", "model_version"], name="analysis_unique_song_model"
            ),
        ]
        indexes = [
            # Nearest-neighbour search by cosine distance for "similar songs". ef_construction
            # 128: recall@10 0.975-0.99 at a million songs where 64 gave 0.905 (bench/recommend.py).
            HnswIndex(
                name="analysis_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=128,
                opclasses=["vector_cosine_ops"],
            ),
            models.Index(fields=["model_version", "predicted_genre"], name="analysis_genre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.song} → {self.predicted_genre} ({self.model_version.name})"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran a task; /healthz reports how fresh the newest is."""

    hostname = models.CharField(max_length=255, unique=True)
    token = models.CharField(max_length=64, blank=True, help_text="Echo of the request, for tests.")
    seen_at = models.DateTimeField()

    class Meta:
        # Its table predates the move from the first app (see migration 0004).
        db_table = "recommender_workerheartbeat"
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class LabelAnswer(models.Model):
    """A person's answer to "what genre is this song?" on the Teach page, the API or a CSV.

    Songs with an answer are not suggested again; genre answers also set the song's label.
    """

    class Verdict(models.TextChoices):
        GENRE = "genre", "Genre"
        NOT_MUSIC = "not_music", "Not music"
        SKIP = "skip", "Skipped"

    song = models.ForeignKey("library.Song", on_delete=models.CASCADE, related_name="label_answers")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    genre = models.ForeignKey(
        "library.Genre", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A genre answer names its genre; the other verdicts none.
            models.CheckConstraint(
                condition=models.Q(verdict="genre", genre__isnull=False)
                | (~models.Q(verdict="genre") & models.Q(genre__isnull=True)),
                name="label_answer_genre_iff_verdict_genre",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.song_id}: {self.genre or self.get_verdict_display()}"


class TrainingRun(models.Model):
    """One "Retrain now": queued, running, then done (with the new version) or failed."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Training"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=500, blank=True, help_text="The last log line.")
    message = models.TextField(blank=True, help_text="The outcome, in words.")
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"training run {self.pk}: {self.status}"

    @property
    def outcome(self) -> str:
        """How a finished run ended ("activated", "done", "failed"); "" while it runs."""
        if self.status not in (self.Status.DONE, self.Status.FAILED):
            return ""
        return "activated" if self.activated else str(self.status)
