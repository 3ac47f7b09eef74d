"""Reads for model versions and analyses."""

from __future__ import annotations

from classifier.models import ModelVersion


def model_version_active() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()
