"""Uploading songs from the browser, and the status endpoint its pages poll."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from classifier.selectors import model_version_active
from library.selectors import upload_limits
from library.services import UploadResult, songs_upload
from library.upload_limits import UploadRefused, uploaded_files
from recommender.songs import model_versions_shown, song_list, song_progress_list

MAX_STATUS_IDS = 100
RECENT_UPLOADS = 10


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    results: list[UploadResult] = []
    refusal: UploadRefused | None = None
    if request.method == "POST":
        try:
            owner = cast(User, request.user)  # login_required
            results = songs_upload(owner=owner, files=uploaded_files(request, "files"))
        except UploadRefused as error:
            refusal = error
    context = {
        "results": results,
        "refusal": refusal,
        "limits": upload_limits(owner=request.user),
        "model": model_version_active(),
        "recent": song_list(user=request.user, versions=model_versions_shown(), mine=True)[
            :RECENT_UPLOADS
        ],
    }
    status = refusal.status if refusal is not None else 200
    response = render(request, "web/upload.html", context, status=status)
    if refusal is not None and refusal.retry_after is not None:
        response["Retry-After"] = str(refusal.retry_after)
    return response


@never_cache
@require_GET
def song_status(request: HttpRequest) -> JsonResponse:
    """GET ?ids=1,2,3 -> the progress of those of the user's songs (others' ids are ignored)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in to see your songs."}, status=401)
    raw = [part for part in request.GET.get("ids", "").split(",") if part.strip()]
    if not all(part.strip().isdigit() for part in raw) or len(raw) > MAX_STATUS_IDS:
        return JsonResponse(
            {"detail": f"ids must be a comma-separated list of at most {MAX_STATUS_IDS} song ids."},
            status=400,
        )
    progress = song_progress_list(owner=request.user, song_ids=[int(part) for part in raw])
    return JsonResponse([item.to_dict() for item in progress], safe=False)
