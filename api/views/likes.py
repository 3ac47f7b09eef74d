"""Likes: mine, and liking or unliking a song (both idempotent)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Pagination
from api.serializers import LikeSerializer, LikeStateSerializer
from api.views.songs import NOT_FOUND, visible_song
from library.models import Song
from library.selectors import like_list_for_user, song_like_count
from library.services import like_create, like_delete


class LikeListView(generics.ListAPIView):
    """The songs I liked, most recent first."""

    serializer_class = LikeSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return like_list_for_user(user=self.request.user)


class SongLikeView(APIView):
    @extend_schema(request=None, responses={200: LikeStateSerializer, 404: NOT_FOUND})
    def put(self, request: Request, song_id: int) -> Response:
        """Like a song I may see; liking it again changes nothing."""
        song = visible_song(request, song_id)
        like_create(user=request.user, song=song)
        return _state(song, liked=True)

    @extend_schema(request=None, responses={200: LikeStateSerializer, 404: NOT_FOUND})
    def delete(self, request: Request, song_id: int) -> Response:
        """Unlike a song; unliking one I do not like changes nothing."""
        song = visible_song(request, song_id)
        like_delete(user=request.user, song=song)
        return _state(song, liked=False)


def _state(song: Song, *, liked: bool) -> Response:
    state = {"song": song.pk, "liked": liked, "like_count": song_like_count(song=song)}
    return Response(LikeStateSerializer(state).data)
