"""Writes for the library: every change to users, songs and likes goes through here."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from recommender.models import WorkerHeartbeat


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "") -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model(username=username, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def worker_heartbeat_record(*, hostname: str, token: str = "") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"token": token, "seen_at": timezone.now()}
    )
    return heartbeat
