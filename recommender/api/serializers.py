"""JSON shapes of the API. Read-only: writes go through recommender.services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recommender.models import Song
from recommender.selectors import song_status_label
from recommender.services import UploadResult


class SongSerializer(serializers.ModelSerializer):
    """A song with its analysis status. Context: `model_active` (bool)."""

    status_label = serializers.SerializerMethodField()
    predicted_genre = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Song
        fields = [
            "id", "url", "title", "artist", "original_filename", "audio_format", "duration",
            "sample_rate", "size_bytes", "status", "status_label", "error_code", "error_message",
            "predicted_genre", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status_label(self, song: Song) -> str:
        return song_status_label(status=song.status, model_active=self.context["model_active"])

    def get_predicted_genre(self, song: Song) -> str | None:
        # Annotated by song_list_with_prediction; a song fresh from an upload has none yet.
        return getattr(song, "predicted_genre", None)

    def get_url(self, song: Song) -> str:
        request = self.context.get("request")
        path = song.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class UploadResultSerializer(serializers.Serializer):
    """One file of an upload: `created`, `existing` (with the song) or `refused` (with error)."""

    filename = serializers.CharField()
    outcome = serializers.CharField()
    song = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    def get_song(self, result: UploadResult) -> dict[str, Any] | None:
        if result.song is None:
            return None
        return SongSerializer(result.song, context=self.context).data

    def get_error(self, result: UploadResult) -> dict[str, str] | None:
        if not result.error_code:
            return None
        return {"code": result.error_code, "message": result.error_message}
