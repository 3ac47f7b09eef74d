"""Timbre: the Django project and the app that serves songs, users, likes and the web UI."""

from recommender.celery import app as celery_app

__all__ = ["celery_app"]
