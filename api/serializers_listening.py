"""JSON shapes of listening: radio, mixes, paths, plays, "not for me", playlists."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers import SongCompactSerializer
from library.models import Dislike, Play, Playlist, PlaylistItem
from library.services.playlists import MAX_PLAYLIST_SONGS
from recommender.mixes import MAX_LIMIT, MAX_SEEDS
from recommender.paths import MAX_STEPS, MIN_STEPS
from recommender.radio import MAX_COUNT

# Ids are 64-bit in the database: a larger number is refused here rather than by PostgreSQL.
MAX_ID = 2**63 - 1


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _song_ids(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=_id(), **kwargs)


# --- radio, mixes, paths -------------------------------------------------------------------------


class RadioRequestSerializer(serializers.Serializer):
    seed = _id(help_text="The song the radio starts from.")
    history = _song_ids(
        required=False, default=list, max_length=1000,
        help_text="Songs already played or queued, oldest first: never offered again.",
    )  # fmt: skip
    skipped = _song_ids(
        required=False, default=list, max_length=1000,
        help_text="Those of `history` skipped in this session: the radio turns away from them.",
    )  # fmt: skip
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT, default=5)


class RadioSongSerializer(serializers.Serializer):
    song = SongCompactSerializer()
    score = serializers.FloatField(help_text="What it was chosen by, higher first.")
    match = serializers.CharField(help_text='The score for people: "87 % match".')
    similarity = serializers.FloatField(help_text="Cosine similarity to the song before it.")
    reason = serializers.CharField()
    genre = serializers.CharField()


class RadioSerializer(serializers.Serializer):
    seed = SongCompactSerializer()
    items = RadioSongSerializer(many=True, help_text="The next songs, in order; may be fewer.")


class MixRequestSerializer(serializers.Serializer):
    seeds = _song_ids(min_length=1, max_length=MAX_SEEDS, help_text="More like these.")
    avoid = _song_ids(
        required=False, default=list, max_length=MAX_SEEDS, help_text="Less like these."
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


class MixSongSerializer(RadioSongSerializer):
    seed = SongCompactSerializer(help_text="The seed it came from.")
    similarity = serializers.FloatField(help_text="Cosine similarity to its seed.")


class MixSerializer(serializers.Serializer):
    seeds = SongCompactSerializer(many=True)
    avoid = SongCompactSerializer(many=True)
    items = MixSongSerializer(many=True)


class PathQuerySerializer(serializers.Serializer):
    start = _id(help_text="Song A: the path's first song.")
    end = _id(help_text="Song B: the path's last song.")
    steps = serializers.IntegerField(min_value=MIN_STEPS, max_value=MAX_STEPS, default=10)


class PathStepSerializer(serializers.Serializer):
    song = SongCompactSerializer()
    similarity = serializers.FloatField(
        allow_null=True, help_text="Cosine similarity to the step before; null for A."
    )
    to_end = serializers.FloatField(help_text="Cosine similarity to B.")
    genre = serializers.CharField()


class PathSerializer(serializers.Serializer):
    steps = PathStepSerializer(many=True, help_text="A first, B last; empty if no path.")


# --- plays and dislikes --------------------------------------------------------------------------


class PlayCreateSerializer(serializers.Serializer):
    song = _id()
    seconds_played = serializers.FloatField(min_value=0, max_value=24 * 3600)
    context = serializers.CharField(
        required=False, default="", max_length=16, help_text="radio, mix, path, playlist, ..."
    )


class PlaySerializer(serializers.ModelSerializer):
    song = SongCompactSerializer()

    class Meta:
        model = Play
        fields = ["id", "song", "started_at", "seconds_played", "skipped", "context"]
        read_only_fields = fields


class DislikeSerializer(serializers.ModelSerializer):
    song = SongCompactSerializer()
    disliked_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Dislike
        fields = ["song", "disliked_at"]
        read_only_fields = fields


class DislikeStateSerializer(serializers.Serializer):
    song = serializers.IntegerField(help_text="The song's id.")
    disliked = serializers.BooleanField()


# --- playlists -----------------------------------------------------------------------------------


class PlaylistItemSerializer(serializers.ModelSerializer):
    song = SongCompactSerializer()

    class Meta:
        model = PlaylistItem
        fields = ["position", "song", "note"]
        read_only_fields = fields


class PlaylistSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    is_mine = serializers.SerializerMethodField()
    song_count = serializers.SerializerMethodField()

    class Meta:
        model = Playlist
        fields = [
            "id", "name", "kind", "is_public", "owner", "is_mine", "song_count", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_mine(self, playlist: Playlist) -> bool:
        request = self.context.get("request")
        return request is not None and playlist.owner_id == request.user.pk

    def get_song_count(self, playlist: Playlist) -> int:
        count = getattr(playlist, "song_count", None)
        return int(count) if count is not None else playlist.items.count()


class PlaylistDetailSerializer(PlaylistSerializer):
    items = serializers.SerializerMethodField()

    class Meta(PlaylistSerializer.Meta):
        fields = [*PlaylistSerializer.Meta.fields, "items"]
        read_only_fields = fields

    def get_items(self, playlist: Playlist) -> list[dict[str, Any]]:
        items = self.context.get("items", [])
        return PlaylistItemSerializer(items, many=True, context=self.context).data  # type: ignore[return-value]


class PlaylistCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    songs = _song_ids(
        required=False, default=list, max_length=MAX_PLAYLIST_SONGS, help_text="In order."
    )
    notes = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False,
        help_text="Why each song is there (a mix's seed, a path step), one per song.",
    )  # fmt: skip
    kind = serializers.ChoiceField(choices=Playlist.Kind.choices, default=Playlist.Kind.MANUAL)


class PlaylistUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    is_public = serializers.BooleanField(required=False, help_text="Share with everyone.")


class PlaylistSongsSerializer(serializers.Serializer):
    songs = _song_ids(
        max_length=MAX_PLAYLIST_SONGS,
        help_text="PUT: the playlist's songs in their new order (leave one out to remove it); "
        "POST: songs to append.",
    )


class PlaylistImportSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    file = serializers.FileField(help_text="An M3U or M3U8 file naming songs of the library.")


class PlaylistImportResultSerializer(serializers.Serializer):
    playlist = PlaylistSerializer()
    matched = serializers.IntegerField()
    unmatched = serializers.ListField(
        child=serializers.CharField(), help_text="Entries that name no song you may see."
    )
