"""Fixtures shared by the library's tests: a user, and API clients logged in as them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # Password hashing is deliberately slow; the tests log in dozens of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user() -> AbstractBaseUser:
    return make_user("ada")


@pytest.fixture
def api(user: AbstractBaseUser) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client
