"""API authentication: tokens, sessions with CSRF, and throttled log-ins (API and web form)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.test import APIClient

from api.throttles import LoginRateThrottle
from tests.factories import make_song, make_user
from timbre.env import cache_from_url, redis_cache_url

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
TOKEN_URL = "/api/auth/token/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()  # throttles count in the default cache


@pytest.fixture
def user():
    return make_user("ada", password=PASSWORD)


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_from_username_and_password_authenticates(user) -> None:
    song = make_song(owner=user)
    response = APIClient().post(TOKEN_URL, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]

    # A script: no session, no CSRF token, writes all the same.
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/songs/").json()["count"] == 1
    assert client.put(f"/api/songs/{song.pk}/like/").status_code == 200
    assert client.delete(f"/api/songs/{song.pk}/").status_code == 204

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    refused = client.get("/api/songs/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")


def test_a_wrong_password_gets_no_token(user) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "ada", "password": "guess"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"] == "Unable to log in with provided credentials."


def test_token_requests_are_throttled_per_address(user, monkeypatch) -> None:
    # DRF reads the rates once at import; LOGIN_THROTTLE sets them in production.
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "2/minute"})
    client = APIClient()

    assert client.post(TOKEN_URL, {"username": "ada", "password": "guess"}).status_code == 400
    assert client.post(TOKEN_URL, {"username": "bob", "password": "guess"}).status_code == 400
    throttled = client.post(TOKEN_URL, {"username": "ada", "password": PASSWORD})

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) <= 60
    elsewhere = client.post(
        TOKEN_URL, {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert elsewhere.status_code == 200


# --- sessions and CSRF ---------------------------------------------------------------------------


def test_session_writes_need_the_csrf_token(user) -> None:
    song = make_song(owner=user, title="Before")
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="ada", password=PASSWORD)
    url = f"/api/songs/{song.pk}/"

    assert client.get(url).status_code == 200  # reads need none
    for method, path in (("patch", url), ("put", f"{url}like/"), ("delete", url)):
        refused = getattr(client, method)(path, {"title": "After"}, format="json")
        assert refused.status_code == 403, method
        assert refused.json()["code"] == "permission_denied"
        assert refused.json()["detail"].startswith("CSRF Failed")
    song.refresh_from_db()
    assert song.title == "Before"

    client.get(LOGIN_URL)  # any page with a form sets the CSRF cookie
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    assert client.patch(url, {"title": "After"}, format="json", **csrf).status_code == 200
    assert client.put(f"{url}like/", **csrf).status_code == 200
    assert client.delete(url, **csrf).status_code == 204


# --- the web log-in form -------------------------------------------------------------------------


def post_login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_web_login_refuses_after_too_many_failures(user, settings) -> None:
    settings.LOGIN_THROTTLE = "3/minute"
    make_user("bob", password=PASSWORD)
    client = Client()

    for _ in range(3):
        assert post_login(client, "ada", "guess").status_code == 200  # the form, with its error
    refused = post_login(client, "ada", PASSWORD)  # even the right password, now

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many failed log-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address, and this account from another address, may log in.
    assert post_login(Client(), "bob", PASSWORD).status_code == 302
    assert post_login(Client(), "ada", PASSWORD, address="10.0.0.2").status_code == 302


def test_web_login_success_forgets_the_failures(user, settings) -> None:
    settings.LOGIN_THROTTLE = "3/minute"

    for _ in range(2):
        assert post_login(Client(), "ada", "guess").status_code == 200
    assert post_login(Client(), "ada", PASSWORD).status_code == 302
    for _ in range(3):
        assert post_login(Client(), "ada", "guess").status_code == 200
    assert post_login(Client(), "ada", "guess").status_code == 429


def test_the_login_url_keeps_its_name() -> None:
    from django.urls import reverse

    assert reverse("login") == LOGIN_URL


# --- the shared cache the throttles count in -----------------------------------------------------


@pytest.mark.parametrize(
    ("broker", "expected"),
    [
        ("redis://:secret@redis:6379/0", "redis://:secret@redis:6379/1"),
        ("redis://", "redis://localhost:6379/1"),
        ("rediss://redis.example.org:6380/2?ssl_cert_reqs=required", "rediss://redis.example.org:6380/1"),
        ("redis+socket:///run/redis/redis.sock?virtual_host=15", "unix:///run/redis/redis.sock?db=1"),
        ("amqp://guest:guest@rabbit:5672//", None),
        ("memory://", None),
    ],
)  # fmt: skip
def test_the_cache_url_derived_from_the_broker(broker: str, expected: str | None) -> None:
    assert redis_cache_url(broker, db=1) == expected


def test_cache_urls() -> None:
    redis_cache = cache_from_url("CACHE_URL", "unix:///run/redis.sock?db=1")
    assert redis_cache == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "unix:///run/redis.sock?db=1",
    }
    assert cache_from_url("CACHE_URL", "locmem://")["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='memcached://m:11211'"):
        cache_from_url("CACHE_URL", "memcached://m:11211")


def test_throttle_counters_live_in_redis_where_every_process_sees_them() -> None:
    location = django_settings.CACHES["default"].get("LOCATION")
    if not location or urlsplit(location).scheme not in {"redis", "rediss", "unix"}:
        pytest.skip("the cache is not Redis in this run")
    cache.set("shared-check", "seen", timeout=30)

    keys = redis.Redis.from_url(location).keys("*shared-check")

    assert len(keys) == 1


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(user, settings) -> None:
    settings.LOGIN_THROTTLE = "2/minute"
    for n in range(2):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert (
            Client().post(LOGIN_URL, {"username": "ada", "password": "x"}, **forged).status_code
            == 200
        )

    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert (
        Client().post(LOGIN_URL, {"username": "ada", "password": "x"}, **forged).status_code == 429
    )
