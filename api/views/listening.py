"""Listening: song radio, mixes, paths, plays, and "not for me"."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer, ValidationErrorSerializer
from api.pagination import Pagination
from api.serializers_listening import (
    DislikeSerializer,
    DislikeStateSerializer,
    MixRequestSerializer,
    MixSerializer,
    PathQuerySerializer,
    PathSerializer,
    PlayCreateSerializer,
    PlaySerializer,
    RadioRequestSerializer,
    RadioSerializer,
)
from api.views.songs import NOT_FOUND, query_params, visible_song
from library.models import Song
from library.selectors import songs_visible_to
from library.selectors_listening import dislike_list_for_user, play_list_for_user
from library.services import dislike_create, dislike_delete, play_record
from recommender.mixes import mix_create
from recommender.paths import song_path
from recommender.radio import radio_next

SONGS_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="A song you may not see.")


def request_body(serializer_class: type, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _visible_songs(request: Request, ids: list[int]) -> list[Song]:
    """The songs of `ids` in order; 404 when one is not visible (as when it does not exist)."""
    found = songs_visible_to(user=request.user).in_bulk(ids)
    missing = [song_id for song_id in ids if song_id not in found]
    if missing:
        raise NotFound(f"No such songs: {missing}.")
    return [found[song_id] for song_id in ids]


class RadioView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=RadioRequestSerializer,
        responses={200: RadioSerializer, 400: ValidationErrorSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        """The next songs of the radio from `seed`: no repeats of `history`, no artist twice in
        a row, drifting with what was played and away from skips and dislikes.

        The radio keeps no state: send what was played so far with each request.
        """
        query = request_body(RadioRequestSerializer, request)
        seed = visible_song(request, query["seed"])
        items = radio_next(
            seed=seed,
            user=request.user,
            history=query["history"],
            skipped=query["skipped"],
            count=query["count"],
        )
        return Response(
            RadioSerializer({"seed": seed, "items": items}, context={"request": request}).data
        )


class MixView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=MixRequestSerializer,
        responses={200: MixSerializer, 400: ValidationErrorSerializer, 404: SONGS_NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        """A mix of songs like the `seeds` and unlike `avoid`; each pick names its seed."""
        query = request_body(MixRequestSerializer, request)
        seeds = _visible_songs(request, query["seeds"])
        avoid = _visible_songs(request, query["avoid"])
        items = mix_create(seeds=seeds, avoid=avoid, user=request.user, limit=query["limit"])
        body = {"seeds": seeds, "avoid": avoid, "items": items}
        return Response(MixSerializer(body, context={"request": request}).data)


class PathView(APIView):
    @extend_schema(
        parameters=[PathQuerySerializer],
        responses={200: PathSerializer, 400: ValidationErrorSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        """A path from song `start` to song `end` in `steps` steps, with each step's similarity."""
        query = query_params(PathQuerySerializer, request)
        start = visible_song(request, query["start"])
        end = visible_song(request, query["end"])
        steps = song_path(start=start, end=end, user=request.user, steps=query["steps"])
        return Response(PathSerializer({"steps": steps}, context={"request": request}).data)


class PlayListView(generics.ListAPIView):
    """GET: my plays, most recent first; POST: record one."""

    serializer_class = PlaySerializer
    pagination_class = Pagination
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return play_list_for_user(user=self.request.user)

    @extend_schema(
        request=PlayCreateSerializer,
        responses={201: PlaySerializer, 400: ValidationErrorSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        """Record a listen: what and how far. Under 30 s (and before the end) it is a skip."""
        body = request_body(PlayCreateSerializer, request)
        song = visible_song(request, body["song"])
        play = play_record(
            user=request.user, song=song, seconds_played=body["seconds_played"],
            context=body["context"],
        )  # fmt: skip
        data = PlaySerializer(play, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class DislikeListView(generics.ListAPIView):
    """The songs I said were not for me, most recent first."""

    serializer_class = DislikeSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return dislike_list_for_user(user=self.request.user)


class SongDislikeView(APIView):
    @extend_schema(request=None, responses={200: DislikeStateSerializer, 404: NOT_FOUND})
    def put(self, request: Request, song_id: int) -> Response:
        """Not for me: the song and its close neighbours go down in For you, radio and mixes.

        It also unlikes the song. Saying it again changes nothing.
        """
        song = visible_song(request, song_id)
        dislike_create(user=request.user, song=song)
        return Response(DislikeStateSerializer({"song": song.pk, "disliked": True}).data)

    @extend_schema(request=None, responses={200: DislikeStateSerializer, 404: NOT_FOUND})
    def delete(self, request: Request, song_id: int) -> Response:
        """Undo "not for me"."""
        song = visible_song(request, song_id)
        dislike_delete(user=request.user, song=song)
        return Response(DislikeStateSerializer({"song": song.pk, "disliked": False}).data)
