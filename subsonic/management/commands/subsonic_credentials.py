"""Create (or rotate) a user's Subsonic app password and API key, and print them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from subsonic.services import credentials_rotate


class Command(BaseCommand):
    help = "Create or rotate USER's Subsonic app password and API key (the old ones stop working)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist as error:
            raise CommandError(f"No user {options['username']!r}.") from error
        fresh = credentials_rotate(user=user)
        self.stdout.write(f"app password: {fresh.app_password}")
        self.stdout.write(f"api key: {fresh.api_key}")
