"""JSON shapes of the API. Reads only: writes go through library.services.

Serializers of songs read the annotations of ``recommender.songs.song_list``
(`predicted_genre`, `like_count`, `liked_by_me`) where the song has them, and these context keys:
`request` (for URLs and "is it mine"), `model_active` (bool, for the status label).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from classifier.models import Analysis, ModelVersion
from library.models import Album, Like, Song
from library.services import UploadResult
from recommender.songs import SONG_ORDERINGS, TOP_TAGS, SongProfile, song_status_label

METRICS_SUMMARY = ("n_tracks", "track_accuracy", "segment_accuracy", "macro_f1")


def _is_mine(serializer: serializers.Serializer, song: Song) -> bool:
    request = serializer.context.get("request")
    return request is not None and song.owner_id is not None and song.owner_id == request.user.pk


def _web_url(serializer: serializers.Serializer, song: Song) -> str:
    request = serializer.context.get("request")
    path = song.get_absolute_url()
    return request.build_absolute_uri(path) if request is not None else path


# --- albums --------------------------------------------------------------------------------------


class AlbumCompactSerializer(serializers.ModelSerializer):
    """An album as its tags name it, with its cover thumbnail's address (null without one)."""

    url = serializers.SerializerMethodField(help_text="The album's web page.")
    cover_url = serializers.SerializerMethodField(help_text="A JPEG thumbnail; null without one.")

    class Meta:
        model = Album
        fields = ["id", "url", "title", "artist", "year", "cover_url"]
        read_only_fields = fields

    def get_url(self, album: Album) -> str:
        return _absolute(self, album.get_absolute_url())

    def get_cover_url(self, album: Album) -> str | None:
        if not album.cover:
            return None
        return _absolute(self, reverse("web:album_cover", args=[album.pk]))


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# Tag fields of a song (the album, its place on it, the file's own genre tag) and whether a scan
# found its file; lists of other things (similar songs, likes) keep the compact form.
SONG_TAG_FIELDS = ["album", "track_number", "disc_number", "year", "file_genre", "missing"]


# --- songs ---------------------------------------------------------------------------------------


class SongCompactSerializer(serializers.ModelSerializer):
    """A song as an item of another list (similar songs, recommendations, likes)."""

    url = serializers.SerializerMethodField(help_text="The song's web page.")
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Song
        fields = ["id", "url", "title", "artist", "duration", "source", "is_public", "is_mine"]
        read_only_fields = fields

    def get_url(self, song: Song) -> str:
        return _web_url(self, song)

    def get_is_mine(self, song: Song) -> bool:
        return _is_mine(self, song)


class SongSerializer(serializers.ModelSerializer):
    """A song with its analysis status, prediction and likes."""

    url = serializers.SerializerMethodField(help_text="The song's web page.")
    status_label = serializers.SerializerMethodField()
    predicted_genre = serializers.SerializerMethodField(
        help_text="The genre the library shows for it; null until a model has analysed it."
    )
    is_mine = serializers.SerializerMethodField()
    like_count = serializers.SerializerMethodField()
    liked_by_me = serializers.SerializerMethodField()
    album = AlbumCompactSerializer(allow_null=True, read_only=True)
    missing = serializers.SerializerMethodField(
        help_text="A scan did not find the file (the song is kept, not playable until it is back)."
    )

    class Meta:
        model = Song
        fields = [
            "id", "url", "title", "artist", "original_filename", "audio_format", "duration",
            "sample_rate", "size_bytes", "status", "status_label", "error_code", "error_message",
            "predicted_genre", "source", "is_public", "is_mine", "like_count", "liked_by_me",
            "created_at", "updated_at", *SONG_TAG_FIELDS,
        ]  # fmt: skip
        read_only_fields = fields

    def get_missing(self, song: Song) -> bool:
        return song.missing_since is not None

    def get_url(self, song: Song) -> str:
        return _web_url(self, song)

    def get_status_label(self, song: Song) -> str:
        return song_status_label(status=song.status, model_active=self.context["model_active"])

    def get_predicted_genre(self, song: Song) -> str | None:
        # A song fresh from an upload is not annotated, and has no prediction yet anyway.
        return getattr(song, "predicted_genre", None)

    def get_is_mine(self, song: Song) -> bool:
        return _is_mine(self, song)

    def get_like_count(self, song: Song) -> int:
        return getattr(song, "like_count", 0)

    def get_liked_by_me(self, song: Song) -> bool:
        return getattr(song, "liked_by_me", False)


class ScoreSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField()


# Serialises the analysis of a `recommender.songs.SongProfile` (context: `profile`); genres and
# tags come ranked from the profile, the same lists the song's web page shows. The docstrings of
# serializers are the schema's descriptions: they say nothing about the implementation.
class AnalysisSerializer(serializers.ModelSerializer):
    """What a model version heard in a song: genre probabilities and the backbone's tags."""

    model_version = serializers.CharField(source="model_version.name")
    genres = serializers.SerializerMethodField(
        help_text="Every genre's probability, highest first."
    )
    tags = serializers.SerializerMethodField(
        help_text=f"The {TOP_TAGS} highest tag scores; empty for models without tags."
    )

    class Meta:
        model = Analysis
        fields = [
            "model_version", "predicted_genre", "confidence", "is_unsure", "is_not_music",
            "genres", "tags", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ScoreSerializer(many=True))
    def get_genres(self, analysis: Analysis) -> list[dict[str, Any]]:
        profile: SongProfile = self.context["profile"]
        return [{"name": score.name, "score": score.value} for score in profile.genres]

    @extend_schema_field(ScoreSerializer(many=True))
    def get_tags(self, analysis: Analysis) -> list[dict[str, Any]]:
        profile: SongProfile = self.context["profile"]
        return [{"name": score.name, "score": score.value} for score in profile.tags]


# Context: `profile` (a SongProfile, or None before a shown model version has analysed the song).
class SongDetailSerializer(SongSerializer):
    """A song with the analysis behind its prediction."""

    analysis = serializers.SerializerMethodField()

    class Meta(SongSerializer.Meta):
        fields = [*SongSerializer.Meta.fields, "analysis"]
        read_only_fields = fields

    @extend_schema_field(AnalysisSerializer(allow_null=True))
    def get_analysis(self, song: Song) -> dict[str, Any] | None:
        profile: SongProfile | None = self.context.get("profile")
        if profile is None:
            return None
        return AnalysisSerializer(profile.analysis, context={"profile": profile}).data


class SongUpdateSerializer(serializers.Serializer):
    """The owner's edit; fields left out keep their value (the service checks the text)."""

    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    artist = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    is_public = serializers.BooleanField(
        required=False, help_text="Shared with every user of the library (they may not edit it)."
    )


class SongListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, help_text="Words each found in the title, the artist or the album."
    )
    genre = serializers.CharField(required=False, help_text="Predicted genre, e.g. jazz.")
    status = serializers.ChoiceField(choices=Song.Status.choices, required=False)
    source = serializers.ChoiceField(choices=Song.Source.choices, required=False)
    mine = serializers.BooleanField(required=False, help_text="Only songs I uploaded.")
    album = serializers.IntegerField(required=False, help_text="Only this album's songs (its id).")
    artist = serializers.CharField(
        required=False, help_text="Only songs by this artist (track or album artist; any case)."
    )
    ordering = serializers.ChoiceField(choices=list(SONG_ORDERINGS), default="-created_at")


class UploadRequestSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), help_text="Audio files: repeat the field for each one."
    )


class UploadResultSerializer(serializers.Serializer):
    """One file of an upload: `created`, `existing` or `restored` (with the song: `restored` when
    its missing file was stored again), or `refused` (with error)."""

    filename = serializers.CharField()
    outcome = serializers.CharField()
    song = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    notice = serializers.CharField(
        help_text="Non-empty when the song is stored but its analysis could not be queued yet: "
        '"Queued; analysis starts when the queue is back."'
    )

    @extend_schema_field(SongSerializer(allow_null=True))
    def get_song(self, result: UploadResult) -> dict[str, Any] | None:
        if result.song is None:
            return None
        return SongSerializer(result.song, context=self.context).data

    @extend_schema_field(
        serializers.DictField(
            child=serializers.CharField(), allow_null=True, help_text="code, message"
        )
    )
    def get_error(self, result: UploadResult) -> dict[str, str] | None:
        if not result.error_code:
            return None
        return {"code": result.error_code, "message": result.error_message}


class UploadResponseSerializer(serializers.Serializer):
    results = UploadResultSerializer(many=True, help_text="One per file, in order.")


# --- recommendations -----------------------------------------------------------------------------


class RecommendationSerializer(serializers.Serializer):
    song = SongCompactSerializer()
    score = serializers.FloatField(help_text="What the list is ordered by, higher first.")
    match = serializers.CharField(help_text='The score for people: "87 % match".')
    similarity = serializers.FloatField(
        allow_null=True, help_text="Cosine similarity to the song it comes from, if any."
    )
    reason = serializers.CharField(help_text="Why it is here, for people.")
    genre = serializers.CharField(help_text="Its predicted genre; empty when not known.")


class SimilarSongsSerializer(serializers.Serializer):
    song = SongCompactSerializer(help_text="The song they sound like.")
    items = RecommendationSerializer(many=True)


class ForYouSerializer(serializers.Serializer):
    cold_start = serializers.BooleanField(help_text="No likes yet: popular and recent songs.")
    explanation = serializers.CharField()
    items = RecommendationSerializer(many=True)


class SimilarQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)
    genre = serializers.CharField(required=False, help_text="Only songs of this predicted genre.")


class ForYouQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


# --- likes ---------------------------------------------------------------------------------------


class LikeSerializer(serializers.ModelSerializer):
    song = SongCompactSerializer()
    liked_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Like
        fields = ["song", "liked_at"]
        read_only_fields = fields


class LikeStateSerializer(serializers.Serializer):
    song = serializers.IntegerField(help_text="The song's id.")
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


# --- model versions ------------------------------------------------------------------------------


class MetricsSummarySerializer(serializers.Serializer):
    n_tracks = serializers.IntegerField(required=False, help_text="Test tracks.")
    track_accuracy = serializers.FloatField(required=False)
    segment_accuracy = serializers.FloatField(required=False)
    macro_f1 = serializers.FloatField(required=False)


class TrainingDetailsSerializer(serializers.ModelSerializer):
    metrics = serializers.JSONField(help_text="Every test metric: per genre, confusion matrix.")
    training = serializers.JSONField(help_text="Split sizes, hyper-parameters, data fingerprint.")
    feature_params = serializers.JSONField()

    class Meta:
        model = ModelVersion
        fields = ["artifact_path", "feature_params", "metrics", "training"]
        read_only_fields = fields


class ModelVersionSerializer(serializers.ModelSerializer):
    """A trained model. Context: `serving_id` (the serving version's id or None), `request`."""

    class_names = serializers.ListField(child=serializers.CharField())
    metrics = serializers.SerializerMethodField(help_text="Test-set scores.")
    is_serving = serializers.SerializerMethodField(
        help_text="Recommendations use this version's embeddings."
    )
    analysis_count = serializers.IntegerField(
        read_only=True, help_text="Songs this version has analysed."
    )
    details = serializers.SerializerMethodField(help_text="Staff only: null for other users.")

    class Meta:
        model = ModelVersion
        fields = [
            "id", "name", "architecture", "class_names", "metrics", "is_active", "is_serving",
            "analysis_count", "activated_at", "created_at", "details",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MetricsSummarySerializer)
    def get_metrics(self, version: ModelVersion) -> dict[str, Any]:
        metrics = version.metrics or {}
        return {key: metrics[key] for key in METRICS_SUMMARY if key in metrics}

    def get_is_serving(self, version: ModelVersion) -> bool:
        return version.pk == self.context.get("serving_id")

    @extend_schema_field(TrainingDetailsSerializer(allow_null=True))
    def get_details(self, version: ModelVersion) -> dict[str, Any] | None:
        request = self.context.get("request")
        if request is None or not request.user.is_staff:
            return None
        return TrainingDetailsSerializer(version).data


# --- albums: lists and detail --------------------------------------------------------------------


class AlbumSerializer(AlbumCompactSerializer):
    """An album in a list, with how many of its songs I may see."""

    song_count = serializers.IntegerField(read_only=True)

    class Meta(AlbumCompactSerializer.Meta):
        fields = [*AlbumCompactSerializer.Meta.fields, "song_count"]
        read_only_fields = fields


class AlbumDetailSerializer(AlbumSerializer):
    """An album with its tracks in order (disc, then track number). Context: `tracks`."""

    tracks = serializers.SerializerMethodField()

    class Meta(AlbumSerializer.Meta):
        fields = [*AlbumSerializer.Meta.fields, "tracks"]
        read_only_fields = fields

    @extend_schema_field(SongSerializer(many=True))
    def get_tracks(self, album: Album) -> list[dict[str, Any]]:
        return list(SongSerializer(self.context["tracks"], many=True, context=self.context).data)


class AlbumListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, help_text="Words each found in the title or artist.")
    artist = serializers.CharField(required=False, help_text="Only this artist's albums.")
