"""The library's songs, genres and likes, adopted from the first app (``recommender``).

Those tables were created by ``recommender`` 0001-0002 and keep their names (``db_table``): this
migration only moves the models in Django's state, so an existing database keeps every row and a
new one gets the same tables. Content types (and with them permissions and admin history) are
renamed to the new app rather than created anew.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import library.models

MOVED_MODELS = ("genre", "song", "like")


def _move_content_types(apps, *, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    taken = set(content_types.filter(app_label=target).values_list("model", flat=True))
    content_types.filter(app_label=source, model__in=set(MOVED_MODELS) - taken).update(
        app_label=target
    )


def rename_content_types(apps, schema_editor):
    _move_content_types(apps, source="recommender", target="library")


def restore_content_types(apps, schema_editor):
    _move_content_types(apps, source="library", target="recommender")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("recommender", "0002_song_is_public"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Genre",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.SlugField(
                                help_text="Stable label, e.g. 'jazz'.", max_length=64, unique=True
                            ),
                        ),
                        ("display_name", models.CharField(blank=True, max_length=100)),
                        (
                            "is_synthetic",
                            models.BooleanField(
                                default=False,
                                help_text="A procedural demo style, not a real genre.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "recommender_genre",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Song",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=255)),
                        ("artist", models.CharField(blank=True, max_length=255)),
                        (
                            "audio",
                            models.FileField(
                                max_length=255, upload_to=library.models.song_audio_path
                            ),
                        ),
                        ("original_filename", models.CharField(blank=True, max_length=255)),
                        (
                            "sha256",
                            models.CharField(
                                help_text="Of the whole uploaded file.",
                                max_length=64,
                                verbose_name="SHA-256",
                            ),
                        ),
                        ("size_bytes", models.BigIntegerField(default=0)),
                        (
                            "audio_format",
                            models.CharField(
                                blank=True, help_text="Probed, not trusted.", max_length=16
                            ),
                        ),
                        (
                            "duration",
                            models.FloatField(blank=True, help_text="Seconds.", null=True),
                        ),
                        ("sample_rate", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Queued"),
                                    ("processing", "Analysing"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("error_code", models.CharField(blank=True, max_length=32)),
                        ("error_message", models.CharField(blank=True, max_length=500)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("upload", "Upload"),
                                    ("dataset", "Dataset"),
                                    ("synthetic", "Synthetic demo"),
                                ],
                                default="upload",
                                max_length=16,
                            ),
                        ),
                        (
                            "is_public",
                            models.BooleanField(
                                default=False,
                                help_text="Shared to the library by its owner. Songs without an owner (the dataset) are visible to everyone; other uploads only to their owner.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "genre",
                            models.ForeignKey(
                                blank=True,
                                help_text="Ground-truth label, when known (dataset songs).",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="songs",
                                to="library.genre",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for songs that belong to the shared dataset.",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="songs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recommender_song",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Like",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="likes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "song",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="likes",
                                to="library.song",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recommender_like",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="song",
                    index=models.Index(fields=["status", "updated_at"], name="song_status_idx"),
                ),
                migrations.AddConstraint(
                    model_name="song",
                    constraint=models.UniqueConstraint(
                        fields=("owner", "sha256"),
                        name="song_unique_file_per_owner",
                        nulls_distinct=False,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="song",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "processing", "done", "failed"])
                        ),
                        name="song_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="like",
                    constraint=models.UniqueConstraint(
                        fields=("user", "song"), name="like_unique_user_song"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
