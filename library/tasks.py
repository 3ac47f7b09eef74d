"""Celery tasks of the library: a thin adapter over the folder scan (run by beat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from library.services.scans import ScanError, library_scan

logger = logging.getLogger(__name__)

SCAN_MUSIC_DIRS = "library.scan_music_dirs"


@shared_task(name=SCAN_MUSIC_DIRS)
def scan_music_dirs() -> dict[str, int]:
    """Re-scan MUSIC_DIRS (every MUSIC_SCAN_MINUTES by beat); a scan already running wins."""
    if not settings.MUSIC_DIRS:
        return {}
    try:
        report = library_scan(paths=settings.MUSIC_DIRS)
    except ScanError as error:
        logger.warning("music folders not scanned: %s", error)
        return {}
    return {
        "added": report.added,
        "changed": report.changed,
        "moved": report.moved,
        "missing": report.missing,
        "rejected": len(report.rejected),
    }
