"""Production settings pass Django's deployment checklist, and bad settings fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from timbre.env import env_bool, env_int

REPO = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY="k" * 20 + "production-secret-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="timbre.example.org",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_make_run_settings_serve_plain_http_on_localhost() -> None:
    """`make run`: DEBUG off, a generated key, no HTTPS: answers http://127.0.0.1:8000."""
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, '127.0.0.1' in "
        "s.ALLOWED_HOSTS, 'localhost' in s.ALLOWED_HOSTS)"
    )
    result = _manage("shell", "-c", code, DEBUG="0", SECRET_KEY="generated-" + "x" * 40)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False",
        "False",
        "False",
        "True",
        "True",
    ]


def test_production_without_secret_key_refuses_to_start() -> None:
    result = _manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False)


def test_bad_integer_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_UPLOAD_MB", "lots")
    with pytest.raises(ImproperlyConfigured, match="MAX_UPLOAD_MB='lots' is not an integer"):
        env_int("MAX_UPLOAD_MB", 100)
