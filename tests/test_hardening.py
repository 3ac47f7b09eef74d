"""The weak spots the audit noted: CSP, JSON errors everywhere under /api/, sign-up and tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_user
from web.views.errors import server_error

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


# --- Content-Security-Policy -------------------------------------------------------------------


def test_every_page_carries_a_policy_without_inline_scripts(user) -> None:
    client = Client()
    client.force_login(user)

    for url in ("/", "/accounts/login/", "/upload/", "/api/songs/", "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy


# --- every API error is JSON -------------------------------------------------------------------


def test_too_many_fields_is_a_json_400(api) -> None:
    fields = {f"field{n}": "x" for n in range(1500)}

    response = api.post("/api/songs/", fields)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"
    assert "number of GET/POST parameters" in response.json()["detail"]


def test_unknown_api_url_is_a_json_404(api) -> None:
    response = api.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_site_errors_are_plain_pages(user) -> None:
    client = Client()
    client.force_login(user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "URLconf" not in response.content.decode()  # never Django's debug page


# --- sign-up: throttled, can be closed or invite-only ------------------------------------------


def _signup(client: Client, username: str, **extra: str):
    data = {"username": username, "password1": "a tune in 5/4", "password2": "a tune in 5/4"}
    return client.post("/accounts/signup/", {**data, **extra}, REMOTE_ADDR="10.2.0.1")


def test_sign_up_is_throttled_per_address(settings) -> None:
    settings.SIGNUP_THROTTLE = "2/hour"

    assert _signup(Client(), "one").status_code == 302
    assert _signup(Client(), "two").status_code == 302
    refused = _signup(Client(), "three")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert not get_user_model().objects.filter(username="three").exists()


def test_closed_sign_up_creates_nobody(settings) -> None:
    settings.SIGNUP = "closed"

    page = Client().get("/accounts/signup/")
    posted = _signup(Client(), "mallory")

    assert page.status_code == 403
    assert "Sign-up is closed" in page.content.decode()
    assert posted.status_code == 403
    assert not get_user_model().objects.exists()


def test_invite_only_sign_up_needs_a_valid_code(settings) -> None:
    settings.SIGNUP = "invite"
    settings.SIGNUP_INVITE_CODES = ["blue-note-1959"]

    assert "Invite code" in Client().get("/accounts/signup/").content.decode()
    assert _signup(Client(), "nobody").status_code == 200  # the form, with its error
    assert _signup(Client(), "guesser", invite_code="blue-note").status_code == 200
    assert _signup(Client(), "invited", invite_code="blue-note-1959").status_code == 302
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["invited"]


# --- API tokens: see, rotate, revoke -----------------------------------------------------------


def test_a_user_sees_rotates_and_revokes_their_token() -> None:
    make_user("ada", password=PASSWORD)
    first = APIClient().post("/api/auth/token/", {"username": "ada", "password": PASSWORD})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")

    seen = client.get("/api/me/token/")
    assert seen.status_code == 200
    assert seen.json()["token"] == first.json()["token"]

    rotated = client.post("/api/me/token/")
    assert rotated.status_code == 201
    new_key = rotated.json()["token"]
    assert new_key != first.json()["token"]
    assert client.get("/api/songs/").status_code == 401  # the old token stopped working
    client.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert client.get("/api/songs/").status_code == 200

    assert client.delete("/api/me/token/").status_code == 204
    assert client.get("/api/songs/").status_code == 401
    session = APIClient()
    session.force_login(get_user_model().objects.get(username="ada"))
    assert session.get("/api/me/token/").json() == {"token": None, "created": None}


def test_the_token_page_shows_rotates_and_revokes(user) -> None:
    client = Client()
    client.force_login(user)

    assert "You have no API token" in client.get("/accounts/token/").content.decode()
    client.post("/accounts/token/", {"action": "rotate"})
    key = Token.objects.get(user=user).key
    page = client.get("/accounts/token/")
    assert key in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    client.post("/accounts/token/", {"action": "rotate"})
    assert Token.objects.get(user=user).key != key
    client.post("/accounts/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=user).exists()


def test_server_errors_under_the_api_are_json_and_a_lost_database_is_503(rf) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        api = server_error(rf.get("/api/songs/"))
        page = server_error(rf.get("/"))
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        lost = server_error(rf.get("/api/songs/"))

    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()
    assert lost.status_code == 503
    assert lost["Retry-After"] == "30"
