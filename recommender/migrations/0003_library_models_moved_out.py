"""Songs, genres and likes moved to ``library``, worker heartbeats to ``classifier``.

State only: their tables stay (the new apps adopted them by name), with every row.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("classifier", "0004_adopt_workerheartbeat_song_in_library"),
        ("library", "0001_initial"),
        ("recommender", "0002_song_is_public"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="song", name="genre"),
                migrations.RemoveField(model_name="like", name="song"),
                migrations.RemoveField(model_name="like", name="user"),
                migrations.RemoveField(model_name="song", name="owner"),
                migrations.DeleteModel(name="WorkerHeartbeat"),
                migrations.DeleteModel(name="Genre"),
                migrations.DeleteModel(name="Like"),
                migrations.DeleteModel(name="Song"),
            ],
            database_operations=[],
        )
    ]
