from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from audio.decode import probe_audio
from audio.errors import InvalidAudioError
from library.models import Album, Genre, Like, MusicFolder, Song
from library.services import song_create
from library.services.songs import local_path, songs_requeue


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "is_synthetic", "song_count"]
    list_filter = ["is_synthetic"]
    search_fields = ["name", "display_name"]

    @admin.display(description="songs")
    def song_count(self, obj: Genre) -> int:
        return obj.songs.count()


class SongAdminForm(forms.ModelForm):
    class Meta:
        model = Song
        fields = ["title", "artist", "owner", "audio", "genre", "source", "is_public"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["title"].required = False
            self.fields["title"].help_text = "Leave empty to take it from the file's tags or name."

    def clean_audio(self) -> Any:
        audio = self.cleaned_data.get("audio")
        if self.instance.pk is None and audio is not None:
            # A new file is judged by its content, exactly as an upload is.
            try:
                with local_path(audio) as path:
                    probe_audio(path)
            except InvalidAudioError as error:
                raise forms.ValidationError(error.message, code=str(error.code)) from None
        return audio


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    form = SongAdminForm
    actions = ["reanalyse"]
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

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # Songs added here are usually labelled dataset songs.
        return {"source": Song.Source.DATASET, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: Song, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        upload = form.cleaned_data["audio"]
        result = song_create(
            owner=obj.owner, upload=upload, original_filename=upload.name,
            source=obj.source, genre=obj.genre, title=obj.title, artist=obj.artist,
        )  # fmt: skip
        if not result.created:
            messages.warning(request, f"These bytes are already in the library as “{result.song}”.")
        obj.__dict__.update(result.song.__dict__)

    @admin.action(description="Re-analyse with the active model")
    def reanalyse(self, request: HttpRequest, queryset: Any) -> None:
        count = songs_requeue(songs=queryset, force=True)
        self.message_user(request, f"Queued {count} songs for analysis.")


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["user", "song", "created_at"]
    search_fields = ["user__username", "song__title"]
    list_select_related = ["user", "song"]
    raw_id_fields = ["user", "song"]


@admin.register(MusicFolder)
class MusicFolderAdmin(admin.ModelAdmin):
    list_display = ["path", "last_scanned_at", "created_at"]
    readonly_fields = ["path", "last_scanned_at", "created_at"]


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "year"]
    search_fields = ["title", "artist"]
