"""Writes for user accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> User:
    user_model = get_user_model()
    user = user_model(username=username, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def token_rotate(*, user: User) -> Token:
    """A new API token for `user`; the previous one, if any, stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke(*, user: User) -> None:
    """No API token for `user` any more: requests with the old one answer 401."""
    Token.objects.filter(user=user).delete()
