"""Trained model versions, read-only; staff also see how each was trained."""

from __future__ import annotations

from typing import Any

from rest_framework import generics

from api.serializers import ModelVersionSerializer
from classifier.selectors import model_version_list, model_version_serving


class _ModelVersionMixin:
    serializer_class = ModelVersionSerializer

    def get_queryset(self) -> Any:
        return model_version_list()

    def get_serializer_context(self) -> dict[str, Any]:
        serving = model_version_serving()
        context = super().get_serializer_context()  # type: ignore[misc]
        return {**context, "serving_id": serving.pk if serving is not None else None}


class ModelVersionListView(_ModelVersionMixin, generics.ListAPIView):
    """Every trained version, newest first (a handful: not paginated)."""

    pagination_class = None


class ModelVersionDetailView(_ModelVersionMixin, generics.RetrieveAPIView):
    """One trained version."""

    lookup_url_kwarg = "version_id"
