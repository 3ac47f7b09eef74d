"""Teaching Timbre: which songs to ask about, recording the answers, asking for a retraining.

Free of Keras (web processes import it); the retraining itself runs in a worker
(`classifier.retraining`). The ranking is `classifier.suggestions` (pure numpy); this module feeds
it the active model's stored analyses, so asking costs no inference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from celery import current_app
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from classifier.models import Analysis, LabelAnswer, ModelVersion, TrainingRun
from classifier.selectors import model_version_active
from classifier.suggestions import Guess, rank_for_labelling, top_guesses
from library.models import Genre, Song
from library.services import genre_get_or_create

MAX_CANDIDATES = 5000  # the newest unlabelled analysed songs considered per request
NOT_MUSIC = "not-music"  # what a CSV or the API sends for "this is not music"
SKIP = "skip"
RETRAIN_TASK = "classifier.retrain_model"


@dataclass(frozen=True)
class Suggestion:
    song: Song
    guesses: list[Guess]
    margin: float


class UnknownGenreError(ValueError):
    """A genre name no labelled song or model knows; the message lists the known ones."""


def label_suggestion_list(*, count: int = 10) -> list[Suggestion]:
    """Analysed songs without a label or an answer, most informative first (spread out)."""
    version = model_version_active()
    if version is None or count <= 0:
        return []
    analyses = list(
        Analysis.objects.filter(
            model_version=version,
            song__status=Song.Status.DONE,
            song__genre__isnull=True,
            song__label_answers__isnull=True,
        )
        .select_related("song")
        .order_by("-song__created_at")[:MAX_CANDIDATES]
    )
    if not analyses:
        return []
    names = list(version.class_names)
    probabilities = np.array([[a.probabilities.get(n, 0.0) for n in names] for a in analyses])
    embeddings = np.array([np.asarray(a.embedding, dtype=np.float64) for a in analyses])
    picked = rank_for_labelling(probabilities, embeddings, count=count)
    ordered = np.sort(probabilities, axis=1)
    return [
        Suggestion(
            song=analyses[i].song,
            guesses=top_guesses(analyses[i].probabilities, count=3),
            margin=float(ordered[i, -1] - ordered[i, -2]) if len(names) > 1 else 1.0,
        )
        for i in picked
    ]


def known_genre_names() -> list[str]:
    """Genres people may answer with: every label in use and every active-model class."""
    version = model_version_active()
    names = set(Genre.objects.values_list("name", flat=True))
    if version is not None:
        names |= set(version.class_names)
    return sorted(names)


def label_answer(
    *,
    song: Song,
    answer: str,
    user: AbstractBaseUser | AnonymousUser | None = None,
    allow_new_genre: bool = False,
) -> LabelAnswer:
    """Record an answer: a genre name (sets the song's label), NOT_MUSIC or SKIP.

    Raises UnknownGenreError for a genre nobody uses yet unless `allow_new_genre`.
    """
    answer = answer.strip().lower()
    who = user if isinstance(user, User) else None
    with transaction.atomic():
        if answer == SKIP:
            return LabelAnswer.objects.create(song=song, verdict=LabelAnswer.Verdict.SKIP, user=who)
        if answer in (NOT_MUSIC, "not_music", "not music"):
            return LabelAnswer.objects.create(
                song=song, verdict=LabelAnswer.Verdict.NOT_MUSIC, user=who
            )
        if not allow_new_genre and answer not in known_genre_names():
            raise UnknownGenreError(
                f"unknown genre {answer!r}; known: {', '.join(known_genre_names())}"
            )
        genre = genre_get_or_create(name=answer)
        # Only the label column: a worker may be updating the song's status meanwhile.
        Song.objects.filter(pk=song.pk).update(genre=genre, updated_at=timezone.now())
        song.genre = genre
        return LabelAnswer.objects.create(
            song=song, verdict=LabelAnswer.Verdict.GENRE, genre=genre, user=who
        )


def labels_since_training_count() -> int:
    """Genre answers given since the newest model version was trained."""
    newest = ModelVersion.objects.order_by("-created_at").first()
    answers = LabelAnswer.objects.filter(verdict=LabelAnswer.Verdict.GENRE)
    if newest is not None:
        answers = answers.filter(created_at__gt=newest.created_at)
    return answers.count()


def training_run_request(*, user: AbstractBaseUser | AnonymousUser | None = None) -> TrainingRun:
    """Queue a retraining (one at a time: an unfinished run is returned instead of a new one)."""
    with transaction.atomic():
        running = (
            TrainingRun.objects.select_for_update()
            .filter(status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING])
            .first()
        )
        if running is not None:
            return running
        run = TrainingRun.objects.create(requested_by=user if isinstance(user, User) else None)
        # By name: the task module imports this one.
        transaction.on_commit(lambda: current_app.send_task(RETRAIN_TASK, args=[run.pk]))
    return run


def training_run_latest() -> TrainingRun | None:
    return TrainingRun.objects.order_by("-created_at", "-id").first()
