"""Songs: list and upload, detail, owner's edit and delete, similar songs."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api.errors import ErrorSerializer, ValidationErrorSerializer
from api.pagination import Pagination
from api.serializers import (
    SimilarQuerySerializer,
    SimilarSongsSerializer,
    SongDetailSerializer,
    SongListQuerySerializer,
    SongSerializer,
    SongUpdateSerializer,
    UploadRequestSerializer,
    UploadResponseSerializer,
    UploadResultSerializer,
)
from classifier.selectors import model_version_active
from library.models import Song
from library.selectors import song_list_for_owner, songs_visible_to
from library.services import (
    UploadOutcome,
    UploadResult,
    song_delete,
    song_set_public,
    song_update,
    songs_upload,
)
from library.upload_limits import UploadRefused, uploaded_files
from recommender.recommendations import song_list_similar
from recommender.songs import model_versions_shown, song_list, song_profile

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such song, or not yours to see.")
NOT_YOURS = OpenApiResponse(ErrorSerializer, description="No such song among yours.")


def query_params(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The request's query parameters, validated (400 with the field's message otherwise)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def song_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {"request": request, "model_active": model_version_active() is not None, **extra}


def visible_song(request: Request, song_id: int) -> Song:
    """A song the user may see; 404 for others' private songs, as for songs that do not exist."""
    song = songs_visible_to(user=request.user).filter(pk=song_id).first()
    if song is None:
        raise NotFound("No such song.")
    return song


def _own_song(request: Request, song_id: int) -> Song:
    """One of the user's own songs; 404 otherwise, even for a shared song (readable, not theirs)."""
    song = song_list_for_owner(owner=request.user).filter(pk=song_id).first()
    if song is None:
        raise NotFound("No such song among yours.")
    return song


def _upload_status(results: list[UploadResult]) -> int:
    outcomes = {result.outcome for result in results}
    if UploadOutcome.CREATED in outcomes:
        return status.HTTP_201_CREATED
    if outcomes & {UploadOutcome.EXISTING, UploadOutcome.RESTORED}:
        return status.HTTP_200_OK  # nothing new (a missing file restored at most), nothing wrong
    return status.HTTP_400_BAD_REQUEST  # every file was refused


class SongListView(generics.ListAPIView):
    """GET: the songs I may see, filtered and paginated; POST: upload files."""

    serializer_class = SongSerializer
    pagination_class = Pagination
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        query = query_params(SongListQuerySerializer, self.request)
        query["search"] = query.pop("q", "")
        return song_list(user=self.request.user, versions=model_versions_shown(), **query)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **song_context(self.request)}

    @extend_schema(
        parameters=[SongListQuerySerializer],
        responses={200: SongSerializer(many=True), 400: ValidationErrorSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The songs I may see: mine, those other users share, and the dataset's."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadRequestSerializer},
        responses={
            201: OpenApiResponse(UploadResponseSerializer, description="At least one song new."),
            200: OpenApiResponse(UploadResponseSerializer, description="All already there."),
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="UploadRefusal",
                    serializers=[UploadResponseSerializer, ErrorSerializer],
                    resource_type_field_name=None,
                ),
                description="Every file refused (results), or no files or too many (code, detail).",
            ),
            413: OpenApiResponse(ErrorSerializer, description="A file over the size limit."),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Over UPLOAD_THROTTLE (files) or its bytes; nothing stored.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Files each become a song, or are refused with a code; 413/400 refuse the request whole.

        Nothing of a request refused as a whole is stored.
        """
        try:
            results = songs_upload(owner=request.user, files=uploaded_files(request, "files"))
        except UploadRefused as refusal:
            response = Response(refusal.to_dict(), status=refusal.status)
            if refusal.retry_after is not None:
                response["Retry-After"] = str(refusal.retry_after)
            return response
        data = UploadResultSerializer(results, many=True, context=song_context(request)).data
        return Response({"results": data}, status=_upload_status(results))


class SongDetailView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses={200: SongDetailSerializer, 404: NOT_FOUND})
    def get(self, request: Request, song_id: int) -> Response:
        """A song I may see, with the analysis behind its predicted genre."""
        return Response(self._detail(request, song_id))

    @extend_schema(
        request=SongUpdateSerializer,
        responses={200: SongDetailSerializer, 400: ValidationErrorSerializer, 404: NOT_YOURS},
    )
    def patch(self, request: Request, song_id: int) -> Response:
        """Edit my song's title, artist, or whether it is shared."""
        song = _own_song(request, song_id)
        edit = SongUpdateSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        changes = edit.validated_data
        with transaction.atomic():
            if "title" in changes or "artist" in changes:
                song_update(
                    song=song,
                    title=changes.get("title", song.title),
                    artist=changes.get("artist", song.artist),
                )
            if "is_public" in changes:
                song_set_public(song=song, is_public=changes["is_public"])
        return Response(self._detail(request, song_id))

    @extend_schema(responses={204: None, 404: NOT_YOURS})
    def delete(self, request: Request, song_id: int) -> Response:
        """Delete my song, its audio file, analyses and likes."""
        song_delete(song=_own_song(request, song_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _detail(request: Request, song_id: int) -> dict[str, Any]:
        versions = model_versions_shown()
        song = song_list(user=request.user, versions=versions).filter(pk=song_id).first()
        if song is None:
            raise NotFound("No such song.")
        profile = song_profile(song=song, versions=versions)
        return SongDetailSerializer(song, context=song_context(request, profile=profile)).data


class SimilarSongsView(APIView):
    @extend_schema(
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarSongsSerializer, 400: ValidationErrorSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, song_id: int) -> Response:
        """Songs that sound like this one, best first, each with the reason it is here.

        Empty until the song has been analysed by the model recommendations use.
        """
        song = visible_song(request, song_id)
        query = query_params(SimilarQuerySerializer, request)
        items = song_list_similar(
            song=song,
            user=request.user,
            limit=query["limit"],
            genre=query.get("genre"),
        )
        body = SimilarSongsSerializer({"song": song, "items": items}, context={"request": request})
        return Response(body.data)
