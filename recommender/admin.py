from django.contrib import admin

from recommender.models import Genre, Like, Song, WorkerHeartbeat


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "is_synthetic", "song_count"]
    list_filter = ["is_synthetic"]
    search_fields = ["name", "display_name"]

    @admin.display(description="songs")
    def song_count(self, obj: Genre) -> int:
        return obj.songs.count()


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "artist",
        "owner",
        "genre",
        "source",
        "status",
        "duration",
        "created_at",
    ]
    list_filter = ["status", "source", "genre"]
    search_fields = ["title", "artist", "original_filename", "sha256"]
    list_select_related = ["owner", "genre"]
    list_editable = ["genre"]  # relabelling dataset songs from the list is the common chore
    readonly_fields = [
        "sha256", "size_bytes", "audio_format", "duration", "sample_rate", "status",
        "error_code", "error_message", "attempts", "created_at", "updated_at",
    ]  # fmt: skip
    raw_id_fields = ["owner"]


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["user", "song", "created_at"]
    search_fields = ["user__username", "song__title"]
    list_select_related = ["user", "song"]
    raw_id_fields = ["user", "song"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]
