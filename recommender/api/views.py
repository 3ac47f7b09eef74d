"""API views: thin adapters from HTTP to selectors and services."""

from __future__ import annotations

from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, throttle_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from classifier.selectors import model_version_active
from recommender.api.serializers import SongSerializer, UploadResultSerializer
from recommender.selectors import song_list_with_prediction
from recommender.services import UploadOutcome, UploadResult, songs_upload
from recommender.uploads import UploadRefused, uploaded_files


class UploadRateThrottle(UserRateThrottle):
    scope = "uploads"  # rate from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (UPLOAD_THROTTLE)


def _upload_status(results: list[UploadResult]) -> int:
    outcomes = {result.outcome for result in results}
    if UploadOutcome.CREATED in outcomes:
        return status.HTTP_201_CREATED
    if UploadOutcome.EXISTING in outcomes:
        return status.HTTP_200_OK  # nothing new, nothing wrong
    return status.HTTP_400_BAD_REQUEST  # every file was refused


@api_view(["POST"])
@parser_classes([MultiPartParser])
@throttle_classes([UploadRateThrottle])
def song_upload(request: Request) -> Response:
    """POST multipart, field `files` repeated -> {"results": [one per file, in order]}.

    201 when at least one song was created, 200 when every file was already in the library, 400
    when every file was refused; 413 (a file over the size limit) or 400 (no files, too many) when
    the request as a whole is refused: {"code", "detail"}, and nothing is stored.
    """
    try:
        results = songs_upload(owner=request.user, files=uploaded_files(request, "files"))
    except UploadRefused as refusal:
        return Response(refusal.to_dict(), status=refusal.status)
    context = {"request": request, "model_active": model_version_active() is not None}
    body = UploadResultSerializer(results, many=True, context=context).data
    return Response({"results": body}, status=_upload_status(results))


@api_view(["GET"])
def song_detail(request: Request, song_id: int) -> Response:
    """One of the user's songs with its analysis status; 404 for anyone else's."""
    song = song_list_with_prediction(owner=request.user).filter(pk=song_id).first()
    if song is None:
        return Response({"detail": "No such song in your library."}, status=404)
    context = {"request": request, "model_active": model_version_active() is not None}
    return Response(SongSerializer(song, context=context).data)
