"""Retrain now: the new version is activated only when its cross-validated score is not worse."""

from __future__ import annotations

from typing import Any

import pytest

from classifier import retraining
from classifier.models import ModelVersion, TrainingRun
from tests.factories import make_model_version, make_serving_version

pytestmark = pytest.mark.django_db


def _trained(accuracy: float) -> Any:
    def fake_train(**kwargs: Any) -> ModelVersion:
        version = make_model_version(name=f"new-{accuracy}")
        version.metrics = {"track_accuracy": accuracy, "cv": {}}
        version.save(update_fields=["metrics"])
        return version

    return fake_train


@pytest.mark.parametrize(("new", "activated"), [(0.70, False), (0.80, True), (0.90, True)])
def test_activates_only_when_cross_validation_is_not_worse(
    monkeypatch: pytest.MonkeyPatch, new: float, activated: bool
) -> None:
    active = make_serving_version(name="active")
    active.metrics = {"track_accuracy": 0.80, "cv": {}}
    active.save(update_fields=["metrics"])
    # Training itself is exercised end to end by the browser test; here only the decision.
    monkeypatch.setattr(retraining, "model_version_train", _trained(new))
    run = TrainingRun.objects.create()

    assert retraining.training_run_execute(run_id=run.pk) == "done"
    assert retraining.training_run_execute(run_id=run.pk) == "skipped"  # claimed once

    run.refresh_from_db()
    assert run.activated is activated
    assert ModelVersion.objects.get(is_active=True).name == (
        "active" if not activated else f"new-{new}"
    )
    assert ("was not activated" in run.message) is not activated
