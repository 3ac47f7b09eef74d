"""Playlists: mine and shared ones; save, rename, share, reorder, remove, delete, export, import."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer, ValidationErrorSerializer
from api.pagination import Pagination
from api.serializers_listening import (
    PlaylistCreateSerializer,
    PlaylistDetailSerializer,
    PlaylistImportResultSerializer,
    PlaylistImportSerializer,
    PlaylistSerializer,
    PlaylistSongsSerializer,
    PlaylistUpdateSerializer,
)
from api.views.listening import request_body
from library.models import Playlist
from library.playlist_formats import playlist_file
from library.selectors_listening import (
    playlist_items,
    playlist_list_for_owner,
    playlist_list_visible,
)
from library.services.playlists import (
    playlist_add_songs,
    playlist_create,
    playlist_delete,
    playlist_import_m3u,
    playlist_set_songs,
    playlist_update,
)

PLAYLIST_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such playlist for you.")
MAX_IMPORT_BYTES = 1_000_000


def visible_playlist(request: Request, playlist_id: int) -> Playlist:
    playlist = playlist_list_visible(user=request.user).filter(pk=playlist_id).first()
    if playlist is None:
        raise NotFound("No such playlist.")
    return playlist


def own_playlist(request: Request, playlist_id: int) -> Playlist:
    playlist = playlist_list_for_owner(owner=request.user).filter(pk=playlist_id).first()
    if playlist is None:
        raise NotFound("No such playlist among yours.")
    return playlist


def _detail(request: Request, playlist: Playlist) -> dict[str, Any]:
    items = playlist_items(playlist=playlist, user=request.user)
    context = {"request": request, "items": items}
    return PlaylistDetailSerializer(playlist, context=context).data


class PlaylistListView(generics.ListAPIView):
    """GET: my playlists and those others shared; POST: save songs as a playlist."""

    serializer_class = PlaylistSerializer
    pagination_class = Pagination
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return playlist_list_visible(user=self.request.user).select_related("owner")

    @extend_schema(
        request=PlaylistCreateSerializer,
        responses={201: PlaylistDetailSerializer, 400: ValidationErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        """Save a queue, radio, mix or path: its songs in order (those I may not see left out)."""
        body = request_body(PlaylistCreateSerializer, request)
        playlist = playlist_create(
            owner=request.user, name=body["name"], song_ids=body["songs"],
            notes=body.get("notes"), kind=body["kind"],
        )  # fmt: skip
        return Response(_detail(request, playlist), status=status.HTTP_201_CREATED)


class PlaylistDetailView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses={200: PlaylistDetailSerializer, 404: PLAYLIST_NOT_FOUND})
    def get(self, request: Request, playlist_id: int) -> Response:
        """A playlist of mine or a shared one, with its songs in order."""
        return Response(_detail(request, visible_playlist(request, playlist_id)))

    @extend_schema(
        request=PlaylistUpdateSerializer,
        responses={
            200: PlaylistDetailSerializer, 400: ValidationErrorSerializer, 404: PLAYLIST_NOT_FOUND
        },
    )  # fmt: skip
    def patch(self, request: Request, playlist_id: int) -> Response:
        """Rename my playlist, or share it (or stop sharing it)."""
        playlist = own_playlist(request, playlist_id)
        body = request_body(PlaylistUpdateSerializer, request)
        playlist_update(playlist=playlist, name=body.get("name"), is_public=body.get("is_public"))
        return Response(_detail(request, playlist))

    @extend_schema(responses={204: None, 404: PLAYLIST_NOT_FOUND})
    def delete(self, request: Request, playlist_id: int) -> Response:
        """Delete my playlist (the songs stay in the library)."""
        playlist_delete(playlist=own_playlist(request, playlist_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistSongsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=PlaylistSongsSerializer,
        responses={
            200: PlaylistDetailSerializer, 400: ValidationErrorSerializer, 404: PLAYLIST_NOT_FOUND
        },
    )  # fmt: skip
    def put(self, request: Request, playlist_id: int) -> Response:
        """Reorder or remove: the playlist becomes exactly these of its songs, in this order."""
        playlist = own_playlist(request, playlist_id)
        playlist_set_songs(
            playlist=playlist, song_ids=request_body(PlaylistSongsSerializer, request)["songs"]
        )
        return Response(_detail(request, playlist))

    @extend_schema(
        request=PlaylistSongsSerializer,
        responses={
            200: PlaylistDetailSerializer, 400: ValidationErrorSerializer, 404: PLAYLIST_NOT_FOUND
        },
    )  # fmt: skip
    def post(self, request: Request, playlist_id: int) -> Response:
        """Append songs I may see."""
        playlist = own_playlist(request, playlist_id)
        playlist_add_songs(
            playlist=playlist, song_ids=request_body(PlaylistSongsSerializer, request)["songs"]
        )
        return Response(_detail(request, playlist))


def _export(request: Request, playlist_id: int, kind: str) -> HttpResponse:
    playlist = visible_playlist(request, playlist_id)
    exported = playlist_file(
        playlist=playlist, user=request.user, kind=kind, absolute=request.build_absolute_uri
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


class PlaylistM3U8View(APIView):
    @extend_schema(
        responses={
            (200, "audio/x-mpegurl"): OpenApiResponse(OpenApiTypes.STR, description="M3U8 file."),
            404: PLAYLIST_NOT_FOUND,
        }
    )
    def get(self, request: Request, playlist_id: int) -> HttpResponse:
        """The playlist as an M3U8 file of its songs' audio URLs."""
        return _export(request, playlist_id, "m3u8")


class PlaylistXSPFView(APIView):
    @extend_schema(
        responses={
            (200, "application/xspf+xml"): OpenApiResponse(
                OpenApiTypes.STR, description="XSPF file."
            ),
            404: PLAYLIST_NOT_FOUND,
        }
    )
    def get(self, request: Request, playlist_id: int) -> HttpResponse:
        """The playlist as an XSPF file of its songs' audio URLs."""
        return _export(request, playlist_id, "xspf")


class PlaylistImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": PlaylistImportSerializer},
        responses={201: PlaylistImportResultSerializer, 400: ValidationErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        """A playlist from an M3U8 that names songs of the library (by Timbre URL, file name, or
        "artist - title"); the entries that match nothing are listed."""
        body = request_body(PlaylistImportSerializer, request)
        upload = body["file"]
        if upload.size > MAX_IMPORT_BYTES:
            return Response(
                {"code": "too_large", "detail": f"At most {MAX_IMPORT_BYTES} bytes.", "errors": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        text = upload.read().decode("utf-8", errors="replace")
        result = playlist_import_m3u(owner=request.user, name=body["name"], text=text)
        data = PlaylistImportResultSerializer(result, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
