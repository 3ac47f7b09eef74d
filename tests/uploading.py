"""Generated audio files and upload objects shared by the upload tests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.audio_factory import tone, write_audio

RATE = 8000


def wav_file(path: Path, frequency: float = 440.0) -> Path:
    """A 4 s tone (64 KB); a different frequency gives different bytes."""
    return write_audio(path, tone(seconds=4, sample_rate=RATE, frequency=frequency), RATE)


def as_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    # The client claims audio whatever the bytes are: the server must not believe it.
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="audio/mpeg")


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
