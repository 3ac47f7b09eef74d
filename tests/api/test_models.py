"""Model versions through the API: read-only, with training details for staff only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_model_version, make_serving_version, make_user

pytestmark = pytest.mark.django_db

METRICS = {
    "n_tracks": 40, "n_segments": 320, "track_accuracy": 0.85, "segment_accuracy": 0.8,
    "macro_f1": 0.84, "per_genre": {"jazz": {"f1": 0.9}}, "confusion_matrix": [[17, 3], [3, 17]],
}  # fmt: skip
TRAINING = {"split_sizes": {"train": 120, "test": 40}, "best_epoch": 7}


@pytest.fixture
def versions():
    old = make_model_version(name="seed-1")
    serving = make_serving_version(name="musicnn-2")
    serving.metrics, serving.training = METRICS, TRAINING
    serving.save(update_fields=["metrics", "training"])
    return old, serving


def client_for(*, staff: bool) -> APIClient:
    user = make_user()
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("versions")
def test_users_see_versions_and_a_metrics_summary() -> None:
    listed = client_for(staff=False).get("/api/models/").json()

    assert [v["name"] for v in listed] == ["musicnn-2", "seed-1"]
    top = listed[0]
    assert (top["is_active"], top["is_serving"], top["class_names"]) == (
        True,
        True,
        ["jazz", "rock"],
    )
    assert top["metrics"] == {
        "n_tracks": 40, "track_accuracy": 0.85, "segment_accuracy": 0.8, "macro_f1": 0.84,
    }  # fmt: skip
    assert (top["details"], top["analysis_count"]) == (None, 0)
    assert (listed[1]["is_serving"], listed[1]["metrics"]) == (False, {})


def test_staff_also_see_training_details(versions) -> None:
    _, serving = versions

    detail = client_for(staff=True).get(f"/api/models/{serving.pk}/").json()

    assert detail["details"] == {
        "artifact_path": "test.keras",
        "feature_params": {"preset": "musicnn"},
        "metrics": METRICS,
        "training": TRAINING,
    }


def test_versions_are_read_only(versions) -> None:
    _, serving = versions
    client = client_for(staff=True)

    assert client.post("/api/models/", {}, format="json").status_code == 405
    assert client.delete(f"/api/models/{serving.pk}/").status_code == 405
    missing = client.get("/api/models/999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
