"""The raw searches (recommender.search) offer exactly the songs the ORM's definitions allow.

Similar songs, For you and cold start run as SQL; radio, mixes and paths through the ORM. A song
one of them may offer and another may not (another user's private upload, a missing file, a
speech clip) would show up in one list and not the other.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from classifier.models import Analysis
from library.models import Song
from library.selectors import song_columns_sql, song_from_values, songs_visible_to, visible_sql
from recommender.mixes import mix_create
from recommender.neighbours import recommendable
from recommender.radio import radio_next
from recommender.search import ANALYSES, SONGS, recommendable_sql
from tests.factories import (
    make_analysed_song,
    make_analysis,
    make_model_version,
    make_serving_version,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> dict[str, object]:
    """One song of each kind a list must tell apart, all close together in sound."""
    version = make_serving_version()
    owner, other = make_user(), make_user()
    near = [unit_vector([1.0, 0.05 * n, 0.0]) for n in range(10)]
    songs = {
        "dataset": make_analysed_song(version=version, embedding=near[0], title="dataset"),
        "shared": make_analysed_song(
            version=version, embedding=near[1], owner=other, is_public=True, title="shared"
        ),
        "private": make_analysed_song(
            version=version, embedding=near[2], owner=other, title="private"
        ),
        "own": make_analysed_song(version=version, embedding=near[3], owner=owner, title="own"),
        "missing": make_analysed_song(
            version=version, embedding=near[4], title="missing", missing_since=timezone.now()
        ),
        "failed": make_analysed_song(
            version=version, embedding=near[5], title="failed", status=Song.Status.FAILED
        ),
        "speech": make_analysed_song(version=version, embedding=near[6], title="speech"),
        "seed": make_analysed_song(version=version, embedding=near[7], title="seed"),
    }
    Analysis.objects.filter(song=songs["speech"]).update(is_not_music=True)
    older = make_model_version(name="older")
    make_analysis(song=songs["dataset"], model_version=older, embedding=near[8])
    return {"version": version, "owner": owner, "other": other, "songs": songs}


def _titles_by_sql(*, user: object, version_id: int) -> set[str]:
    condition, params = recommendable_sql(user=user, version_id=version_id)  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.title FROM {ANALYSES} a JOIN {SONGS} s ON s.id = a.song_id"  # noqa: S608
            f" WHERE {condition}",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("who", ["anonymous", "owner", "other"])
def test_the_searches_and_the_orm_recommend_the_same_songs(
    library: dict[str, object], who: str
) -> None:
    version = library["version"]
    user = AnonymousUser() if who == "anonymous" else library[who]
    by_orm = set(
        recommendable(user=user, version=version).values_list(  # type: ignore[arg-type]
            "song__title", flat=True
        )
    )
    by_sql = _titles_by_sql(user=user, version_id=version.pk)  # type: ignore[attr-defined]

    assert by_sql == by_orm
    assert "missing" not in by_sql and "failed" not in by_sql and "speech" not in by_sql
    assert ("private" in by_sql) == (who == "other")
    assert ("own" in by_sql) == (who == "owner")


@pytest.mark.parametrize("who", ["anonymous", "owner", "other"])
def test_visible_sql_is_the_library_visibility(library: dict[str, object], who: str) -> None:
    user = AnonymousUser() if who == "anonymous" else library[who]
    condition, params = visible_sql(user=user, alias="s")  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM {SONGS} s WHERE {condition}", params)  # noqa: S608
        by_sql = {row[0] for row in cursor.fetchall()}
    by_orm = set(songs_visible_to(user=user).values_list("pk", flat=True))  # type: ignore[arg-type]
    assert by_sql == by_orm


def test_a_song_read_by_a_search_is_the_song_the_orm_reads(library: dict[str, object]) -> None:
    song = library["songs"]["own"]  # type: ignore[index]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {song_columns_sql(alias='s')} FROM {SONGS} s WHERE s.id = %s",  # noqa: S608
            [song.pk],
        )
        read = song_from_values(cursor.fetchone())
    fresh = Song.objects.get(pk=song.pk)
    assert {f.attname: getattr(read, f.attname) for f in Song._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in Song._meta.concrete_fields
    }
    assert read.audio.name == fresh.audio.name and not read._state.adding


def test_radio_and_mixes_never_offer_a_missing_file_or_speech(
    library: dict[str, object],
) -> None:
    songs = library["songs"]
    owner = library["owner"]
    radio = radio_next(seed=songs["seed"], user=owner, count=5)  # type: ignore[index, arg-type]
    mix = mix_create(seeds=[songs["seed"]], user=owner, limit=5)  # type: ignore[index, arg-type]
    for offered in ({item.song.title for item in radio}, {item.song.title for item in mix}):
        assert offered, "the radio or the mix came back empty"
        assert offered.isdisjoint({"missing", "failed", "speech", "private"})
