"""The worker side of "Retrain now": train on every labelled song, activate if not worse."""

from __future__ import annotations

import logging

from django.utils import timezone

from classifier.models import ModelVersion, TrainingRun
from classifier.selectors import model_version_active
from classifier.services import model_version_activate, model_version_train
from classifier.trainer import TrainingOptions
from classifier.training import TrainingDataError

logger = logging.getLogger(__name__)


def training_run_execute(*, run_id: int) -> str:
    """Train on every labelled song; activate the result when its CV score is not worse.

    Claims the run with a conditional update, so a second delivery does nothing.
    """
    claimed = TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.RUNNING, progress="preparing features"
    )
    if not claimed:
        return "skipped"

    def log(line: str) -> None:
        TrainingRun.objects.filter(pk=run_id).update(progress=str(line)[:500])

    previous = model_version_active()
    try:
        version = model_version_train(options=TrainingOptions(verbose=0), log=log)
    except TrainingDataError as error:
        _finish(run_id, status=TrainingRun.Status.FAILED, message=str(error))
        return "failed"
    except Exception as error:  # report any crash on the page; the worker log has the trace
        logger.exception("training run %s failed", run_id)
        _finish(run_id, status=TrainingRun.Status.FAILED, message=f"Training failed: {error}")
        return "failed"
    new_score = float(version.metrics.get("track_accuracy", 0.0))
    old_score = _cv_score(previous)
    activate = old_score is None or new_score >= old_score
    if activate:
        model_version_activate(version=version)
        message = f"{version.name} is active: cross-validated accuracy {new_score:.3f}"
        message += f" (was {old_score:.3f})." if old_score is not None else "."
    else:
        message = (
            f"{version.name} was not activated: cross-validated accuracy {new_score:.3f} is "
            f"worse than the active model's {old_score:.3f}."
        )
    _finish(
        run_id,
        status=TrainingRun.Status.DONE,
        message=message,
        model_version=version,
        activated=activate,
    )
    return "done"


def _cv_score(version: ModelVersion | None) -> float | None:
    """The version's cross-validated accuracy; None for none, or one trained before CV."""
    if version is None or "cv" not in (version.metrics or {}):
        return None
    return float(version.metrics["track_accuracy"])


def _finish(run_id: int, *, status: str, message: str, **fields: object) -> None:
    TrainingRun.objects.filter(pk=run_id).update(
        status=status, message=message, progress="", finished_at=timezone.now(), **fields
    )
