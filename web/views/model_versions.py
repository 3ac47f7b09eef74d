"""Staff pages for the genre models: how each version scored, and which one is active.

Other users get a 404, as for any page that is not theirs: the URLs reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from classifier.models import ModelVersion
from classifier.selectors import (
    model_version_confusion_path,
    model_version_list,
    model_version_serving,
)
from classifier.services import model_version_activate

View = Callable[..., HttpResponseBase]


def staff_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_staff:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@staff_only
@require_GET
def model_version_index(request: HttpRequest) -> HttpResponse:
    serving = model_version_serving()
    versions = list(model_version_list())
    context = {
        "versions": versions,
        "serving_id": serving.pk if serving is not None else None,
        "with_confusion": [
            v for v in versions if model_version_confusion_path(version=v).is_file()
        ],
    }
    return render(request, "web/model_versions.html", context)


@staff_only
@require_GET
def model_version_confusion(request: HttpRequest, version_id: int) -> HttpResponseBase:
    """The test-set confusion matrix the trainer drew, from the version's artifact folder."""
    version = get_object_or_404(ModelVersion, pk=version_id)
    path = model_version_confusion_path(version=version)
    if not path.is_file():
        raise Http404("This version has no confusion matrix picture.")
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_only
@require_POST
def model_version_activate_view(request: HttpRequest, version_id: int) -> HttpResponse:
    """Make another version the active one; the library is re-analysed by it in the background."""
    version = get_object_or_404(ModelVersion, pk=version_id)
    model_version_activate(version=version)
    messages.success(
        request,
        f"{version.name} is now active. Songs are re-analysed in the background; until it has "
        "heard them all, recommendations keep using the previous version.",
    )
    return redirect("web:model_versions")
