"""Recommendations for me: from my likes, or popular and new songs before I like any."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ValidationErrorSerializer
from api.serializers import ForYouQuerySerializer, ForYouSerializer
from api.views.songs import query_params
from recommender.recommendations import song_list_for_you


class ForYouView(APIView):
    @extend_schema(
        parameters=[ForYouQuerySerializer],
        responses={200: ForYouSerializer, 400: ValidationErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        """Songs for me, each with the reason it is here; never my own or ones I liked."""
        limit = query_params(ForYouQuerySerializer, request)["limit"]
        for_you = song_list_for_you(user=request.user, limit=limit)
        return Response(ForYouSerializer(for_you, context={"request": request}).data)
