"""A user's credentials for Subsonic players: an app password and an API key.

The token scheme (``t`` = md5(password + salt)) needs the plain secret on the server, so the app
password is stored as it is, in its own table: it is never the log-in password (which stays
hashed), it opens only ``/rest/``, and the user replaces or revokes it on their account page. The
API key is only compared, so only its SHA-256 is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SubsonicCredential(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsonic_credential"
    )
    app_password = models.CharField(max_length=64, blank=True)
    api_key_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # An API key names one user.
            models.UniqueConstraint(
                fields=["api_key_sha256"],
                condition=~models.Q(api_key_sha256=""),
                name="subsonic_api_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Subsonic credentials of {self.user}"
