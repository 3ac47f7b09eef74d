"""Timbre's project package: settings, URLs, the Celery app, health checks and the embedded servers.

The Celery app is loaded with Django so that `shared_task` binds to it.
"""

from timbre.celery import app as celery_app

__all__ = ["celery_app"]
