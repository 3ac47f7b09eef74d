"""Worker heartbeats move here from the first app (``recommender``); songs now live in ``library``.

State only: the heartbeat table keeps its name (``db_table``) and the analyses' foreign key keeps
pointing at the same song table, so nothing in the database changes and every row stays.
"""

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, *, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    if not content_types.filter(app_label=target, model="workerheartbeat").exists():
        content_types.filter(app_label=source, model="workerheartbeat").update(app_label=target)


def rename_content_type(apps, schema_editor):
    _move_content_type(apps, source="recommender", target="classifier")


def restore_content_type(apps, schema_editor):
    _move_content_type(apps, source="classifier", target="recommender")


class Migration(migrations.Migration):
    dependencies = [
        ("classifier", "0003_model_version_library_covered_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("library", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerHeartbeat",
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
                        ("hostname", models.CharField(max_length=255, unique=True)),
                        (
                            "token",
                            models.CharField(
                                blank=True,
                                help_text="Echo of the request, for tests.",
                                max_length=64,
                            ),
                        ),
                        ("seen_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "recommender_workerheartbeat",
                        "ordering": ["-seen_at"],
                    },
                ),
                migrations.AlterField(
                    model_name="analysis",
                    name="song",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="analyses",
                        to="library.song",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
