"""Staff page "Teach Timbre": answer the songs the model is least sure of, then retrain."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from classifier.labelling import (
    NOT_MUSIC,
    SKIP,
    UnknownGenreError,
    known_genre_names,
    label_answer,
    label_suggestion_list,
    labels_since_training_count,
    training_run_latest,
    training_run_request,
)
from classifier.models import TrainingRun
from classifier.selectors import model_version_active
from library.models import Song
from web.views.model_versions import staff_only

QUEUE_LENGTH = 5  # suggestions shown below the current one


@staff_only
@require_GET
def teach(request: HttpRequest) -> HttpResponse:
    suggestions = label_suggestion_list(count=QUEUE_LENGTH + 1)
    context = {
        "active": model_version_active(),
        "current": suggestions[0] if suggestions else None,
        "upcoming": suggestions[1:],
        "genres": known_genre_names(),
        "labels_since_training": labels_since_training_count(),
        "run": training_run_latest(),
        "not_music": NOT_MUSIC,
        "skip": SKIP,
    }
    return render(request, "web/teach.html", context)


@staff_only
@require_POST
def teach_label(request: HttpRequest, song_id: int) -> HttpResponse:
    song = get_object_or_404(Song, pk=song_id)
    try:
        label_answer(song=song, answer=request.POST.get("genre", ""), user=request.user)
    except UnknownGenreError as error:
        messages.error(request, str(error))
    return redirect("web:teach")


@staff_only
@require_POST
def teach_retrain(request: HttpRequest) -> HttpResponse:
    run = training_run_request(user=request.user)
    if run.status == TrainingRun.Status.QUEUED and run.requested_by_id == request.user.pk:
        messages.success(request, "Training started: it runs in the background.")
    return redirect("web:teach")


@staff_only
@require_GET
def teach_training_status(request: HttpRequest) -> JsonResponse:
    """The latest training run, for the page to follow its progress."""
    run = training_run_latest()
    if run is None:
        return JsonResponse({"status": None})
    return JsonResponse(
        {
            "status": run.status,
            "progress": run.progress,
            "message": run.message,
            "activated": run.activated,
            "outcome": run.outcome,
            "finished": bool(run.outcome),
        }
    )


@require_GET
def teach_how(request: HttpRequest) -> HttpResponse:
    """How to give Timbre real genres (linked from the demo-model notice on every page)."""
    return render(request, "web/teach_how.html")
