"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation gets a bounded number of generated requests, authenticated with a normal user's
token, against the real PostgreSQL and Redis: no answer may be a 5xx, and every answer must match
what the schema promises for its status code (documented status, JSON body shape).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 25
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@pytest.fixture
def api_schema() -> Iterator[schemathesis.specs.openapi.schemas.BaseOpenAPISchema]:
    cache.clear()  # throttle counters of earlier tests
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(settings) -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_user("fuzzer")
    version = make_serving_version(class_names=["jazz", "rock"])
    rng = np.random.default_rng(7)
    for n in range(3):  # something to list, open and find similar songs for
        make_analysed_song(
            version=version, owner=user if n else None, embedding=unit_vector(rng.normal(size=128))
        )
    return Token.objects.create(user=user).key


# The user's own token must survive the run: rotating and revoking it are tested on their own
# (tests/recommender/test_hardening.py).
schema = schemathesis.from_pytest_fixture("api_schema").exclude(
    path="/api/me/token/", method=["POST", "DELETE"]
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_keeps_its_schema(case: schemathesis.Case, token: str) -> None:
    response = case.call_wsgi(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=CHECKS)
