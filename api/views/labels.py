"""Teaching the model through the API (staff): label suggestions and answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer, ValidationErrorSerializer
from classifier.labelling import (
    UnknownGenreError,
    label_answer,
    label_suggestion_list,
    labels_since_training_count,
)
from library.models import Song

MAX_SUGGESTIONS = 100


class GuessSerializer(serializers.Serializer):
    genre = serializers.CharField()
    probability = serializers.FloatField(help_text="Calibrated.")


class SuggestionSerializer(serializers.Serializer):
    song_id = serializers.IntegerField(source="song.pk")
    title = serializers.CharField(source="song.title")
    original_filename = serializers.CharField(source="song.original_filename")
    margin = serializers.FloatField(help_text="Top guess minus second: small means unsure.")
    guesses = GuessSerializer(many=True, help_text="The three most probable genres.")


class SuggestionListSerializer(serializers.Serializer):
    labels_since_training = serializers.IntegerField()
    results = SuggestionSerializer(many=True)


class SuggestionQuerySerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_SUGGESTIONS, default=10)


class LabelRequestSerializer(serializers.Serializer):
    genre = serializers.CharField(
        max_length=64, help_text="A known genre name, 'not-music' or 'skip'."
    )


class LabelResponseSerializer(serializers.Serializer):
    song_id = serializers.IntegerField()
    verdict = serializers.CharField(help_text="genre, not_music or skip.")
    genre = serializers.CharField(allow_null=True)
    labels_since_training = serializers.IntegerField()


class LabelSuggestionListView(APIView):
    """Analysed, unlabelled songs whose label would teach the active model most."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        parameters=[SuggestionQuerySerializer], responses={200: SuggestionListSerializer}
    )
    def get(self, request: Request) -> Response:
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        suggestions = label_suggestion_list(count=query.validated_data["count"])
        body = {"labels_since_training": labels_since_training_count(), "results": suggestions}
        return Response(SuggestionListSerializer(body).data)


class SongLabelView(APIView):
    """Answer a suggestion: the song's genre, 'not-music' or 'skip'."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        request=LabelRequestSerializer,
        responses={
            201: LabelResponseSerializer,
            400: OpenApiResponse(ValidationErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
        },
    )
    def post(self, request: Request, song_id: int) -> Response:
        song = Song.objects.filter(pk=song_id).first()
        if song is None:
            raise NotFound("No such song.")
        data = LabelRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            answer = label_answer(song=song, answer=data.validated_data["genre"], user=request.user)
        except UnknownGenreError as error:
            raise ValidationError({"genre": [str(error)]}) from None
        body = {
            "song_id": song.pk,
            "verdict": answer.verdict,
            "genre": answer.genre.name if answer.genre is not None else None,
            "labels_since_training": labels_since_training_count(),
        }
        return Response(LabelResponseSerializer(body).data, status=status.HTTP_201_CREATED)
