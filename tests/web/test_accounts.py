"""Sign up, log in and log out work through real forms with CSRF enforced."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True)


def _csrf(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def test_sign_up_creates_account_and_logs_in(client: Client) -> None:
    token = _csrf(client, "/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "password1": "a tune in 5/4",
            "password2": "a tune in 5/4",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="ada").exists()
    home = client.get("/")
    assert home.status_code == 200
    assert b"ada" in home.content


def test_sign_up_without_csrf_token_is_forbidden(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"username": "mallory", "password1": "a tune in 5/4", "password2": "a tune in 5/4"},
    )

    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_sign_up_with_mismatched_passwords_shows_error(client: Client) -> None:
    token = _csrf(client, "/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "bob",
            "password1": "a tune in 5/4",
            "password2": "another tune",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 200
    assert b"didn" in response.content  # "The two password fields didn't match."
    assert not get_user_model().objects.filter(username="bob").exists()


def test_log_in_and_log_out(client: Client) -> None:
    make_user("grace", password="a tune in 5/4")
    assert client.get("/").status_code == 302  # the library needs a login

    token = _csrf(client, "/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": "grace", "password": "a tune in 5/4", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_log_in_with_wrong_password_says_so(client: Client) -> None:
    make_user("grace", password="a tune in 5/4")
    token = _csrf(client, "/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": "grace", "password": "wrong", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 200
    assert b"didn't match" in response.content
