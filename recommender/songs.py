"""What the library shows of a song, decided once for the web pages and the API.

- Which model version's genre a song shows (``model_versions_shown``): the serving version (the
  one recommendations use), then the active one. They differ only while a newly activated version
  re-analyses the library: a song keeps showing the serving version's genre until then, and a
  song only the new version has analysed (a new upload) shows the new version's.
- The song list (``song_list``): what a user may see, searched, filtered and ordered, each song
  annotated with its shown genre and likes.
- The song profile (``song_profile``): the analysis behind the shown genre, ranked.
- A song's status as the user reads it (``song_status_label``, ``song_progress_list``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from classifier.models import Analysis, ModelVersion
from classifier.selectors import model_version_active, model_version_serving
from library.models import Like, Song
from library.selectors import User, songs_visible_to

WAITING_FOR_MODEL = "Waiting for a genre model to be trained"
# Tag scores a profile lists, highest first.
TOP_TAGS = 10

# Orderings of a song list by name; the id breaks ties so that pages never overlap. Titles and
# artists sort without regard to case.
SONG_ORDERINGS: dict[str, tuple[Any, ...]] = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "title": (Lower("title"), "id"),
    "-title": (Lower("title").desc(), "-id"),
    "artist": (Lower("artist"), Lower("title"), "id"),
    "-artist": (Lower("artist").desc(), Lower("title").desc(), "-id"),
    # An album's tracks in order: disc, then track number (untagged ones last), then title.
    "track": (
        F("disc_number").asc(nulls_last=True),
        F("track_number").asc(nulls_last=True),
        Lower("title"),
        "id",
    ),
    "album": (Lower("album__title"), "disc_number", "track_number", Lower("title"), "id"),
}
DEFAULT_ORDERING = "-created_at"


# --- which version a song shows ------------------------------------------------------------------


def model_versions_shown() -> list[ModelVersion]:
    """The versions whose predictions the library shows, preferred first: serving, then active."""
    serving = model_version_serving()
    if serving is None or serving.is_active:
        return [serving] if serving is not None else []
    active = model_version_active()
    return [serving, active] if active is not None else [serving]


def _preferred_analyses(versions: list[ModelVersion]) -> QuerySet[Analysis]:
    """Analyses by `versions`, the most preferred version's first."""
    ids = [version.pk for version in versions]
    preference = Case(
        *(When(model_version_id=pk, then=Value(rank)) for rank, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return Analysis.objects.filter(model_version_id__in=ids).order_by(preference)


def with_predicted_genre(songs: QuerySet[Song], *, versions: list[ModelVersion]) -> QuerySet[Any]:
    """`songs` annotated with `predicted_genre` by the first of `versions` that analysed each."""
    # QuerySet[Any]: django-stubs cannot follow an annotation made here into callers' filters.
    predicted: Subquery | Value
    if versions:
        predicted = Subquery(
            _preferred_analyses(versions).filter(song=OuterRef("pk")).values("predicted_genre")[:1]
        )
    else:
        predicted = Value(None, output_field=CharField())
    return songs.annotate(predicted_genre=predicted)


def song_analysis_shown(*, song: Song, versions: list[ModelVersion]) -> Analysis | None:
    """The analysis behind the song's shown prediction (see ``model_versions_shown``), if any."""
    if not versions:
        return None
    return _preferred_analyses(versions).filter(song=song).select_related("model_version").first()


# --- the song list -------------------------------------------------------------------------------


def song_list(
    *,
    user: User,
    versions: list[ModelVersion],
    search: str = "",
    genre: str = "",
    label: str = "",
    status: str = "",
    source: str = "",
    mine: bool = False,
    album: int | None = None,
    artist: str = "",
    ordering: str = DEFAULT_ORDERING,
) -> QuerySet[Any]:
    """The songs `user` may see, each with `predicted_genre`, `like_count` and `liked_by_me`.

    `search` keeps songs whose title, artist or album contains every word of it (each word in
    any of them); `album` the songs of that album id; `artist` those by that artist, as the track
    or the album artist (exactly, ignoring case); `genre` those shown in
    that predicted genre; `label` those with that ground-truth label; `status` and `source` those
    with that value; `mine` the user's own uploads. `ordering` is a key of SONG_ORDERINGS (unknown:
    newest first). The like count is a subquery, not a join: a page of a large library counts the
    likes of its songs only.
    """
    likes = Like.objects.filter(song=OuterRef("pk")).order_by().values("song")
    liked_by_me: Exists | Value = (
        Exists(likes.filter(user_id=user.pk)) if user.is_authenticated else Value(False)
    )
    songs = with_predicted_genre(
        songs_visible_to(user=user).select_related("genre", "album"), versions=versions
    ).annotate(
        like_count=Coalesce(Subquery(likes.annotate(n=Count("pk")).values("n")), 0),
        liked_by_me=liked_by_me,
    )
    for word in search.split():
        songs = songs.filter(
            Q(title__icontains=word) | Q(artist__icontains=word) | Q(album__title__icontains=word)
        )
    if album is not None:
        songs = songs.filter(album_id=album)
    if artist:
        songs = songs.filter(Q(artist__iexact=artist) | Q(album__artist__iexact=artist))
    if genre:
        songs = songs.filter(predicted_genre=genre)
    if label:
        songs = songs.filter(genre__name=label)
    if status:
        songs = songs.filter(status=status)
    if source:
        songs = songs.filter(source=source)
    if mine:
        songs = songs.filter(owner_id=user.pk)
    return songs.order_by(*SONG_ORDERINGS.get(ordering, SONG_ORDERINGS[DEFAULT_ORDERING]))


# --- one song's profile --------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    name: str
    value: float  # in [0, 1]

    @property
    def text(self) -> str:
        return self.name.replace("-", " ").replace("_", " ")

    @property
    def percent(self) -> float:
        """For bar widths and labels: 0 to 100, one decimal."""
        return round(100.0 * min(max(self.value, 0.0), 1.0), 1)


@dataclass(frozen=True)
class SongProfile:
    """What the shown model version heard in a song."""

    analysis: Analysis
    genres: list[Score]  # every class, most probable first
    tags: list[Score]  # the pretrained backbone's TOP_TAGS highest tags; empty without them
    serving: bool  # by the version recommendations use (else a newer one, re-analysing)

    @property
    def is_unsure(self) -> bool:
        """Below the model's confidence threshold: the page shows the two best guesses."""
        return self.analysis.is_unsure

    @property
    def is_not_music(self) -> bool:
        """Speech, animal sounds or noise."""
        return self.analysis.is_not_music

    @property
    def best_two(self) -> list[Score]:
        return self.genres[:2]

    @property
    def version(self) -> ModelVersion:
        return self.analysis.model_version

    @property
    def predicted_genre(self) -> str:
        return self.analysis.predicted_genre

    @property
    def confidence(self) -> float:
        return self.analysis.confidence


def song_profile(*, song: Song, versions: list[ModelVersion]) -> SongProfile | None:
    """The profile behind the song's shown genre; None until a shown version has analysed it."""
    analysis = song_analysis_shown(song=song, versions=versions)
    if analysis is None:
        return None
    return SongProfile(
        analysis=analysis,
        genres=ranked_scores(analysis.probabilities),
        tags=ranked_scores(analysis.tags or {})[:TOP_TAGS],
        serving=analysis.model_version_id == versions[0].pk,
    )


def ranked_scores(scores: dict[str, float]) -> list[Score]:
    """Scores highest first, ties by name."""
    ranked = [Score(name=name, value=float(value)) for name, value in scores.items()]
    return sorted(ranked, key=lambda score: (-score.value, score.name))


# --- status --------------------------------------------------------------------------------------


def song_status_label(*, status: str, model_active: bool) -> str:
    """What the UI calls a status; a queued song with no model to run says why it waits."""
    if status == Song.Status.PENDING and not model_active:
        return WAITING_FOR_MODEL
    return str(Song.Status(status).label)


@dataclass(frozen=True)
class SongProgress:
    """Where a song is in the analysis pipeline, as the status endpoint reports it."""

    id: int
    status: str
    status_label: str
    error_code: str
    error_message: str
    predicted_genre: str | None

    @property
    def finished(self) -> bool:
        return self.status in (Song.Status.DONE, Song.Status.FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "status_label": self.status_label,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "predicted_genre": self.predicted_genre,
            "finished": self.finished,
        }


def song_progress_list(*, owner: Any, song_ids: list[int]) -> list[SongProgress]:
    """Progress of those of `song_ids` that belong to `owner` (others' ids are left out)."""
    model_active = model_version_active() is not None
    songs = with_predicted_genre(
        Song.objects.filter(owner=owner, pk__in=song_ids), versions=model_versions_shown()
    ).order_by("pk")
    return [
        SongProgress(
            id=song.pk,
            status=song.status,
            status_label=song_status_label(status=song.status, model_active=model_active),
            error_code=song.error_code,
            error_message=song.error_message,
            predicted_genre=song.predicted_genre,
        )
        for song in songs
    ]
