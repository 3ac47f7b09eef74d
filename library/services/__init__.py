"""Writes for the library: every change to users, songs and likes goes through here.

Split by sub-domain; the names most callers need are re-exported here.
"""

from library.services.accounts import token_revoke, token_rotate, user_create
from library.services.likes import like_create, like_delete
from library.services.listening import dislike_create, dislike_delete, play_record
from library.services.songs import (
    SongCreateResult,
    file_sha256,
    genre_get_or_create,
    song_create,
    song_delete,
    song_file_missing,
    song_file_restore,
    song_set_public,
    song_update,
    title_artist_from_filename,
)
from library.services.uploads import UploadOutcome, UploadResult, songs_upload

__all__ = [
    "SongCreateResult",
    "UploadOutcome",
    "UploadResult",
    "dislike_create",
    "dislike_delete",
    "file_sha256",
    "genre_get_or_create",
    "like_create",
    "like_delete",
    "play_record",
    "song_create",
    "song_delete",
    "song_file_missing",
    "song_file_restore",
    "song_set_public",
    "song_update",
    "songs_upload",
    "title_artist_from_filename",
    "token_revoke",
    "token_rotate",
    "user_create",
]
