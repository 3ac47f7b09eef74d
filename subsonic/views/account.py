"""The account page for players: see whether Subsonic access is on, create, replace or revoke it.

The new app password and API key are shown once, right after they are made (the API key is
kept only as a hash; the app password stays readable here so the user can copy it again).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from subsonic.models import SubsonicCredential
from subsonic.services import credentials_revoke, credentials_rotate


@login_required
@require_http_methods(["GET", "POST"])
def subsonic_credentials(request: HttpRequest) -> HttpResponse:
    """GET: the current app password; POST action=rotate: new ones; action=revoke: none."""
    api_key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            credentials_revoke(user=request.user)
            messages.success(request, "Players can no longer sign in with your old app password.")
        else:
            api_key = credentials_rotate(user=request.user).api_key
            messages.success(request, "New app password and API key; the old ones stop working.")
    user: Any = request.user
    credential = SubsonicCredential.objects.filter(user_id=user.pk).first()
    server_url = request.build_absolute_uri("/")
    response = render(
        request,
        "subsonic/credentials.html",
        {"credential": credential, "api_key": api_key, "server_url": server_url},
    )
    response["Cache-Control"] = "no-store"  # secrets: no copy in any cache
    return response
