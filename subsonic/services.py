"""Writes for Subsonic credentials: create (or rotate) and revoke."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from subsonic.models import SubsonicCredential


@dataclass(frozen=True)
class NewCredentials:
    app_password: str
    api_key: str


def api_key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


@transaction.atomic
def credentials_rotate(*, user: Any) -> NewCredentials:
    """A new app password and API key for `user`; the previous ones stop working."""
    fresh = NewCredentials(
        app_password=secrets.token_urlsafe(18), api_key=secrets.token_urlsafe(32)
    )
    SubsonicCredential.objects.update_or_create(
        user_id=user.pk,
        defaults={
            "app_password": fresh.app_password,
            "api_key_sha256": api_key_digest(fresh.api_key),
        },
    )
    return fresh


def credentials_revoke(*, user: Any) -> None:
    """No Subsonic access for `user` any more: every player must be given new credentials."""
    SubsonicCredential.objects.filter(user_id=user.pk).delete()
