"""Albums: the ones I may browse (with one song I may see), and one album with its tracks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer, ValidationErrorSerializer
from api.pagination import Pagination
from api.serializers import AlbumDetailSerializer, AlbumListQuerySerializer, AlbumSerializer
from api.views.songs import query_params, song_context
from library.albums import album_list
from recommender.songs import model_versions_shown, song_list


class AlbumListView(generics.ListAPIView):
    serializer_class = AlbumSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        query = query_params(AlbumListQuerySerializer, self.request)
        return album_list(
            user=self.request.user, search=query.get("q", ""), artist=query.get("artist", "")
        )

    @extend_schema(
        parameters=[AlbumListQuerySerializer],
        responses={200: AlbumSerializer(many=True), 400: ValidationErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Albums with a song I may see, by artist then title."""
        return super().get(request, *args, **kwargs)


class AlbumDetailView(APIView):
    @extend_schema(
        responses={
            200: AlbumDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such album, or none I may see."),
        }
    )
    def get(self, request: Request, album_id: int) -> Response:
        """An album with its tracks I may see, in order (disc, then track number)."""
        album = album_list(user=request.user).filter(pk=album_id).first()
        if album is None:
            raise NotFound("No such album.")
        tracks = song_list(
            user=request.user, versions=model_versions_shown(), album=album.pk, ordering="track"
        )
        context = song_context(request, tracks=tracks)
        return Response(AlbumDetailSerializer(album, context=context).data)
