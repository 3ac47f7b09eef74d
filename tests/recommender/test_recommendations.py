"""Recommendation selectors: order, blending, exclusions, privacy, one version, query count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from classifier.models import ModelVersion
from library.models import Like, Song
from library.selectors import songs_visible_to
from recommender.recommendations import (
    COLD_START_EXPLANATION,
    genre_overlap,
    song_list_for_you,
    song_list_similar,
    taste_vectors,
)
from tests.factories import (
    make_analysed_song,
    make_analysis,
    make_model_version,
    make_serving_version,
    make_song,
    make_user,
    unit_vector,
)

pytestmark = pytest.mark.django_db


def angle(degrees: float, *, plane: tuple[int, int] = (0, 1)) -> np.ndarray:
    """A unit vector `degrees` away from the first axis of `plane`."""
    values = np.zeros(3)
    values[plane[0]] = np.cos(np.radians(degrees))
    values[plane[1]] = np.sin(np.radians(degrees))
    return unit_vector(values)


def titles(items: list[Any]) -> list[str]:
    return [item.song.title for item in items]


@pytest.fixture
def cosine_only(settings: Any) -> None:
    settings.RECOMMENDER_GENRE_WEIGHT = 0.0


# --- similar songs -------------------------------------------------------------------------------


@pytest.mark.usefixtures("cosine_only")
def test_similar_songs_come_nearest_first_with_their_reason() -> None:
    version = make_serving_version()
    seed = make_analysed_song(version=version, embedding=angle(0), title="Seed")
    for degrees in (40, 10, 75, 25):
        make_analysed_song(version=version, embedding=angle(degrees), title=f"{degrees}°")
    make_analysed_song(
        version=version, embedding=angle(5), title="rock at 5°", probabilities={"rock": 1.0}
    )

    items = song_list_similar(song=seed, user=None, limit=4)

    assert titles(items) == ["rock at 5°", "10°", "25°", "40°"]
    assert [round(item.similarity, 4) for item in items] == [
        round(np.cos(np.radians(d)), 4) for d in (5, 10, 25, 40)
    ]
    assert [item.score for item in items] == [item.similarity for item in items]
    # The seed is the page's own song: the reason says what they share, not its name.
    assert items[0].reason == "close in sound"
    assert items[1].reason == "both jazz"
    assert items[1].match == f"{round(100 * items[1].score)} % match"
    assert items[1].genre == "jazz"


def test_genre_agreement_is_blended_with_cosine_similarity(settings: Any) -> None:
    version = make_serving_version(class_names=["jazz", "rock"])
    seed = make_analysed_song(
        version=version, embedding=angle(0), probabilities={"jazz": 0.8, "rock": 0.2}
    )
    make_analysed_song(
        version=version, embedding=angle(10), title="near, rock",
        probabilities={"jazz": 0.1, "rock": 0.9},
    )  # fmt: skip
    make_analysed_song(
        version=version, embedding=angle(30), title="farther, jazz",
        probabilities={"jazz": 0.7, "rock": 0.3},
    )  # fmt: skip

    settings.RECOMMENDER_GENRE_WEIGHT = 0.0
    assert titles(song_list_similar(song=seed, user=None)) == ["near, rock", "farther, jazz"]

    settings.RECOMMENDER_GENRE_WEIGHT = 0.5
    items = song_list_similar(song=seed, user=None)
    assert titles(items) == ["farther, jazz", "near, rock"]
    # (1 - w) * cosine similarity + w * sum of min(p_seed(g), p_song(g))
    assert items[0].score == pytest.approx(0.5 * np.cos(np.radians(30)) + 0.5 * (0.7 + 0.2))
    assert items[1].score == pytest.approx(0.5 * np.cos(np.radians(10)) + 0.5 * (0.1 + 0.2))
    assert items[0].reason == "both jazz"


def test_genre_filter_keeps_only_that_predicted_genre() -> None:
    version = make_serving_version()
    seed = make_analysed_song(version=version, embedding=angle(0))
    make_analysed_song(version=version, embedding=angle(5), title="rock", probabilities={"rock": 1})
    make_analysed_song(version=version, embedding=angle(20), title="jazz")

    assert titles(song_list_similar(song=seed, user=None, genre="rock")) == ["rock"]
    assert titles(song_list_similar(song=seed, user=None, genre="jazz")) == ["jazz"]
    assert song_list_similar(song=seed, user=None, genre="techno") == []


def test_similar_songs_leave_out_the_song_itself_its_copies_and_unfinished_songs() -> None:
    version = make_serving_version()
    owner = make_user()
    seed = make_analysed_song(version=version, embedding=angle(0), owner=owner, content=b"x")
    # Another owner's shared copy of the same file, and a re-encoded copy (same embedding).
    make_analysed_song(
        version=version, embedding=angle(1), owner=make_user(), is_public=True, content=b"x"
    )
    make_analysed_song(version=version, embedding=angle(0), title="re-encoded copy")
    # Two shared copies of one other file are one recommendation.
    for copy_owner in (make_user(), make_user()):
        make_analysed_song(
            version=version, embedding=angle(20), owner=copy_owner, is_public=True,
            content=b"y", title="shared twice",
        )  # fmt: skip
    failed = make_analysed_song(version=version, embedding=angle(2), title="failed")
    Song.objects.filter(pk=failed.pk).update(status=Song.Status.FAILED)
    make_song(title="not analysed yet", status=Song.Status.PENDING)
    make_analysed_song(version=version, embedding=angle(30), title="fine")

    items = song_list_similar(song=seed, user=owner)

    assert titles(items) == ["shared twice", "fine"]


def test_similar_songs_are_only_songs_the_user_may_see() -> None:
    version = make_serving_version()
    me, other = make_user(), make_user()
    seed = make_analysed_song(version=version, embedding=angle(0), title="dataset seed")
    make_analysed_song(version=version, embedding=angle(5), owner=other, title="other private")
    make_analysed_song(
        version=version, embedding=angle(10), owner=other, is_public=True, title="other shared"
    )
    make_analysed_song(version=version, embedding=angle(15), owner=me, title="mine private")
    make_analysed_song(version=version, embedding=angle(20), title="dataset")

    assert titles(song_list_similar(song=seed, user=me)) == [
        "other shared",
        "mine private",
        "dataset",
    ]
    assert titles(song_list_similar(song=seed, user=AnonymousUser())) == [
        "other shared",
        "dataset",
    ]
    assert set(songs_visible_to(user=me).values_list("title", flat=True)) == {
        "dataset seed", "other shared", "mine private", "dataset",
    }  # fmt: skip

    # Another user's private song cannot be used as a seed to learn what it sounds like.
    private = Song.objects.get(title="other private")
    assert song_list_similar(song=private, user=me) == []
    assert "dataset seed" in titles(song_list_similar(song=private, user=other))


def test_similar_songs_never_mix_model_versions() -> None:
    old = make_model_version(name="old")
    old.activated_at = old.library_covered_at = timezone.now() - timezone.timedelta(days=1)
    old.save()
    new = make_serving_version(name="new")
    seed = make_analysed_song(version=new, embedding=angle(0), title="seed")
    make_analysis(song=seed, model_version=old, embedding=angle(90))
    both = make_analysed_song(version=new, embedding=angle(60), title="both")
    make_analysis(song=both, model_version=old, embedding=angle(90))  # old: identical to the seed
    only_old = make_song(title="only old", status=Song.Status.PENDING)
    make_analysis(song=only_old, model_version=old, embedding=angle(91))

    # `new` has analysed every finished song, so it serves, and only its embeddings count.
    items = song_list_similar(song=seed, user=None)
    assert titles(items) == ["both"]
    assert items[0].similarity == pytest.approx(0.5)

    # A finished song `new` has not analysed yet (it was just activated and is catching up):
    # `old` serves until it has, alone.
    Song.objects.filter(pk=only_old.pk).update(status=Song.Status.DONE)
    ModelVersion.objects.filter(pk=new.pk).update(library_covered_at=None)
    items = song_list_similar(song=seed, user=None)
    assert titles(items) == ["only old"]  # `both` is at distance 0 under `old`: the same recording
    assert items[0].similarity == pytest.approx(np.cos(np.radians(1)))


def test_similar_songs_take_a_fixed_number_of_queries(django_assert_num_queries: Any) -> None:
    version = make_serving_version()
    user = make_user()
    seed = make_analysed_song(version=version, embedding=angle(0), owner=user)
    make_analysed_song(version=version, embedding=angle(10))

    # 1 to find the serving version, 1 for the seed, its candidates and their songs.
    with django_assert_num_queries(2):
        assert len(song_list_similar(song=seed, user=user)) == 1

    rng = np.random.default_rng(3)
    for _ in range(25):
        make_analysed_song(version=version, embedding=unit_vector(rng.normal(size=8)))
    # 80 candidates search wider than a connection's default: 1 more to say so.
    with django_assert_num_queries(3):
        items = song_list_similar(song=seed, user=user, limit=20)
        assert len(titles(items)) == 20  # songs come with the candidates: no lazy loads
    with django_assert_num_queries(1):
        song_list_similar(song=seed, user=user, version=version)


def test_similar_songs_is_empty_without_a_model() -> None:
    assert song_list_similar(song=make_song(), user=None) == []


# --- for you -------------------------------------------------------------------------------------


def like(user: Any, *songs: Song) -> None:
    for song in songs:
        Like.objects.create(user=user, song=song)


def test_for_you_is_varied_and_says_which_like_it_comes_from() -> None:
    version = make_serving_version()
    user = make_user()
    likes_x = make_analysed_song(version=version, embedding=angle(0), title="X")
    likes_z = make_analysed_song(version=version, embedding=angle(90, plane=(0, 2)), title="Z")
    like(user, likes_x, likes_z)
    # Three near-copies close to X, one song a bit farther from Z.
    for degrees in (3, 4, 5):
        make_analysed_song(version=version, embedding=angle(degrees), title=f"X+{degrees}")
    make_analysed_song(version=version, embedding=angle(80, plane=(0, 2)), title="Z-10")

    result = song_list_for_you(user=user, limit=3)

    assert not result.cold_start
    assert result.explanation == (
        "From the 2 songs you liked: songs close to one of them, each unlike the picks above it, "
        "and at most 1 from one genre while others are on offer."
    )
    assert titles(result.items) == ["X+3", "Z-10", "X+4"]  # nearest alone would be X+3, X+4, X+5
    assert [item.reason for item in result.items] == [
        "because you liked X · both jazz",
        "because you liked Z · both jazz",
        "because you liked X · both jazz",
    ]
    assert result.items[1].similarity == pytest.approx(np.cos(np.radians(10)))
    assert result.items[0].score > result.items[1].score > result.items[2].score


def test_for_you_leaves_out_liked_uploaded_private_and_other_version_songs() -> None:
    old = make_model_version(name="never served")
    version = make_serving_version()
    user, other = make_user(), make_user()
    liked = make_analysed_song(version=version, embedding=angle(0), title="liked", content=b"l")
    like(user, liked)
    like(other, liked)  # other users' likes of the same song do not duplicate it
    make_analysed_song(version=version, embedding=angle(2), owner=user, title="my upload")
    make_analysed_song(version=version, embedding=angle(3), owner=other, title="other private")
    make_analysed_song(
        version=version, embedding=angle(4), owner=other, is_public=True, content=b"l",
        title="other's copy of the liked file",
    )  # fmt: skip
    make_analysed_song(version=version, embedding=angle(0), title="same recording")
    # Finished, but analysed only by a version that does not serve.
    make_analysed_song(version=old, embedding=angle(1), title="other version only")
    make_analysed_song(
        version=version, embedding=angle(10), owner=other, is_public=True, title="shared"
    )
    make_analysed_song(version=version, embedding=angle(20), title="fine")

    items = song_list_for_you(user=user).items

    assert titles(items) == ["shared", "fine"]


def test_for_you_cold_start_offers_popular_then_recent_visible_songs() -> None:
    version = make_serving_version()
    user, fan1, fan2 = make_user(), make_user(), make_user()
    older = make_analysed_song(version=version, embedding=angle(0), title="older")
    loved = make_analysed_song(version=version, embedding=angle(10), title="loved")
    liked_once = make_analysed_song(version=version, embedding=angle(20), title="liked once")
    make_analysed_song(version=version, embedding=angle(30), title="newest")
    make_analysed_song(version=version, embedding=angle(40), owner=user, title="my own")
    hidden = make_analysed_song(version=version, embedding=angle(50), owner=fan1, title="private")
    like(fan1, loved, liked_once, hidden)
    like(fan2, loved)
    del older

    result = song_list_for_you(user=user, limit=4)

    assert result.cold_start
    assert result.explanation == COLD_START_EXPLANATION
    assert titles(result.items) == ["loved", "liked once", "newest", "older"]
    assert [item.reason for item in result.items] == [
        "popular: liked by 2 people",
        "popular: liked by 1 person",
        "new in the library",
        "new in the library",
    ]
    assert song_list_for_you(user=AnonymousUser(), limit=4).cold_start


@pytest.mark.parametrize("liked_count", [0, 1, 7])
def test_for_you_takes_a_fixed_number_of_queries(
    liked_count: int, django_assert_num_queries: Any
) -> None:
    version = make_serving_version()
    user = make_user()
    rng = np.random.default_rng(liked_count)
    songs = [
        make_analysed_song(version=version, embedding=unit_vector(rng.normal(size=8)))
        for _ in range(30)
    ]
    like(user, *songs[:liked_count])
    like(make_user(), *songs[-3:])

    # 1 for the serving version, 1 for the likes and the songs played through, then the dislikes
    # and skips, the candidates with their songs, and the tags of the liked songs the reasons
    # name (or, without likes, 1 for the popular and the newest songs).
    with django_assert_num_queries(5 if liked_count else 3):
        items = song_list_for_you(user=user, limit=10).items
        assert len(titles(items)) == 10


# --- helpers -------------------------------------------------------------------------------------


def test_genre_overlap_is_the_shared_probability_mass() -> None:
    assert genre_overlap({"jazz": 0.8, "rock": 0.2}, {"jazz": 0.7, "rock": 0.3}) == pytest.approx(
        0.9
    )
    assert genre_overlap({"jazz": 1.0}, {"rock": 1.0}) == 0.0
    assert genre_overlap({"jazz": 0.5, "rock": 0.5}, {"jazz": 0.5, "rock": 0.5}) == 1.0


def test_taste_vectors_keep_few_likes_apart_and_cluster_many() -> None:
    two = np.stack([angle(0), angle(90)])
    np.testing.assert_allclose(taste_vectors(two), two)

    rng = np.random.default_rng(0)
    centres = [angle(0), angle(90), angle(90, plane=(0, 2))]
    likes = np.stack(
        [unit_vector(centres[i % 3][:3] + rng.normal(scale=0.05, size=3)) for i in range(30)]
    )
    tastes = taste_vectors(likes)
    assert tastes.shape == (3, 128)
    np.testing.assert_allclose(np.linalg.norm(tastes, axis=1), 1.0, rtol=1e-6)
    assert sorted(np.argmax(tastes @ np.stack(centres).T, axis=1)) == [0, 1, 2]
