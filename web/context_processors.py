"""Template context every page gets from the classifier: is the model only a demo?"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from classifier.selectors import model_version_knows_only_synthetic


def model_notice(request: HttpRequest) -> dict[str, Any]:
    # A callable: templates call it only when they render the notice, so it costs nothing
    # on responses that are not pages.
    return {"model_knows_only_synthetic": model_version_knows_only_synthetic}
