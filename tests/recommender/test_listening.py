"""Radio, mixes, paths and "not for me": the rules a listener would notice."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from library.models import Song
from library.services import dislike_create, dislike_delete, play_record
from recommender.mixes import mix_create
from recommender.paths import song_path
from recommender.radio import radio_next
from recommender.recommendations import song_list_for_you
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector

pytestmark = pytest.mark.django_db


def on_circle(degrees: float) -> np.ndarray:
    """A unit vector on the circle of the first two axes."""
    return unit_vector([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])


def cosine(a: Song, b: Song) -> float:
    ea = np.asarray(a.analyses.get().embedding)
    eb = np.asarray(b.analyses.get().embedding)
    return float(ea @ eb / (np.linalg.norm(ea) * np.linalg.norm(eb)))


@pytest.fixture
def version() -> Any:
    return make_serving_version()


@pytest.fixture
def cloud(version: Any) -> list[Song]:
    """60 songs scattered in 8 dimensions, by 6 artists (ten songs each)."""
    rng = np.random.default_rng(12)
    return [
        make_analysed_song(
            version=version,
            embedding=unit_vector(rng.normal(size=8)),
            title=f"cloud {n}",
            artist=f"Artist {n % 6}",
        )
        for n in range(60)
    ]


# --- radio ---------------------------------------------------------------------------------------


def play_radio(seed: Song, *, user: Any, songs: int, batch: int = 3) -> list[Song]:
    history: list[int] = []
    played: list[Song] = []
    while len(played) < songs:
        picks = radio_next(seed=seed, user=user, history=history, count=batch)
        if not picks:
            break
        played += [pick.song for pick in picks]
        history += [pick.song.pk for pick in picks]
    return played[:songs]


def test_radio_never_repeats_a_song_nor_the_artist_before_it(cloud: list[Song]) -> None:
    user = make_user()
    seed = cloud[0]

    played = play_radio(seed, user=user, songs=40)

    assert len(played) == 40
    ids = [song.pk for song in played]
    assert len(set(ids)) == len(ids)
    assert seed.pk not in ids
    for before, after in zip([seed, *played], played, strict=False):
        assert before.artist != after.artist


def test_radio_is_endless_until_the_library_runs_out(cloud: list[Song]) -> None:
    played = play_radio(cloud[0], user=make_user(), songs=100, batch=7)

    # Every other song, once: the artist rule may only leave the very last ones out.
    assert len(played) >= 55
    assert len({song.pk for song in played}) == len(played)


def test_radio_drifts_with_what_is_played_and_skips_steer_it(version: Any) -> None:
    user = make_user()
    seed = make_analysed_song(version=version, embedding=on_circle(0), title="seed")
    left = [
        make_analysed_song(version=version, embedding=on_circle(-d), title=f"L{d}")
        for d in (20, 40, 60)
    ]
    right = [
        make_analysed_song(version=version, embedding=on_circle(d), title=f"R{d}")
        for d in (21, 41, 61)
    ]

    # Heard L20: the radio moves that way, past songs as close to the seed on the other side.
    after_left = radio_next(seed=seed, user=user, history=[left[0].pk])
    assert after_left[0].song == left[1]

    # Skipped L20: it turns to the other side.
    after_skip = radio_next(seed=seed, user=user, history=[left[0].pk], skipped=[left[0].pk])
    assert after_skip[0].song == right[0]
    assert after_skip[0].reason.startswith("after L20")


# --- not for me ----------------------------------------------------------------------------------


def test_a_dislike_pushes_the_song_and_its_neighbours_down_and_is_undoable(version: Any) -> None:
    user = make_user()
    seed = make_analysed_song(version=version, embedding=on_circle(0), title="seed")
    disliked = make_analysed_song(version=version, embedding=on_circle(10), title="disliked")
    neighbour = make_analysed_song(version=version, embedding=on_circle(14), title="neighbour")
    farther = [
        make_analysed_song(version=version, embedding=on_circle(-d), title=f"other {d}")
        for d in (25, 30, 35)
    ]
    before = [pick.song for pick in radio_next(seed=seed, user=user, count=3)]
    assert before[:2] == [disliked, neighbour]

    dislike_create(user=user, song=disliked)

    after = [pick.song for pick in radio_next(seed=seed, user=user, count=3)]
    assert disliked not in after
    assert neighbour not in after  # at 4° from the dislike: pushed below songs 25-35° away
    assert set(after) == set(farther)
    mix = [pick.song for pick in mix_create(seeds=[seed], user=user, limit=3)]
    assert disliked not in mix and neighbour not in mix

    dislike_delete(user=user, song=disliked)
    assert [pick.song for pick in radio_next(seed=seed, user=user, count=3)] == before


def test_a_dislike_pushes_neighbours_down_in_for_you(version: Any) -> None:
    user = make_user()
    liked = make_analysed_song(version=version, embedding=on_circle(0), title="liked")
    user.likes.create(song=liked)
    disliked = make_analysed_song(version=version, embedding=on_circle(5), title="disliked")
    neighbour = make_analysed_song(version=version, embedding=on_circle(8), title="neighbour")
    other = make_analysed_song(version=version, embedding=on_circle(-30), title="other")

    assert [i.song for i in song_list_for_you(user=user, limit=1).items] == [disliked]
    dislike_create(user=user, song=disliked)

    items = [item.song for item in song_list_for_you(user=user, limit=3).items]
    assert items == [other, neighbour]


def test_an_early_skip_counts_softly(version: Any) -> None:
    user = make_user()
    seed = make_analysed_song(version=version, embedding=on_circle(0), duration=200.0)
    skipped = make_analysed_song(version=version, embedding=on_circle(10), duration=200.0)
    near_skip = make_analysed_song(version=version, embedding=on_circle(12), duration=200.0)
    make_analysed_song(version=version, embedding=on_circle(-16), duration=200.0, title="far")

    assert play_record(user=user, song=skipped, seconds_played=12.0).skipped
    assert not play_record(user=user, song=seed, seconds_played=45.0).skipped

    picks = radio_next(seed=seed, user=user, count=3)
    # Still offered (a skip is not a dislike), but behind a farther song.
    assert next(pick.song.title for pick in picks) == "far"
    assert {pick.song for pick in picks} >= {skipped, near_skip}


# --- mixes ---------------------------------------------------------------------------------------


def test_a_mix_takes_turns_between_its_seeds_and_names_them(version: Any) -> None:
    user = make_user()
    jazz = make_analysed_song(version=version, embedding=on_circle(0), title="jazz seed")
    rock = make_analysed_song(
        version=version, embedding=on_circle(90), title="rock seed", probabilities={"rock": 1.0}
    )
    for d in (5, 10, 15):
        make_analysed_song(version=version, embedding=on_circle(d), title=f"jazz {d}")
        make_analysed_song(
            version=version, embedding=on_circle(90 + d), title=f"rock {d}",
            probabilities={"rock": 1.0},
        )  # fmt: skip

    mix = mix_create(seeds=[jazz, rock], user=user, limit=6)

    assert [(pick.song.title, pick.seed.title) for pick in mix] == [
        ("jazz 5", "jazz seed"),
        ("rock 5", "rock seed"),
        ("jazz 10", "jazz seed"),
        ("rock 10", "rock seed"),
        ("jazz 15", "jazz seed"),
        ("rock 15", "rock seed"),
    ]
    assert mix[0].reason == "like jazz seed · both jazz"
    assert mix[1].reason == "like rock seed · both rock"
    assert mix[0].match == f"{round(100 * mix[0].score)} % match"


def test_less_like_this_pushes_its_neighbours_away(version: Any) -> None:
    user = make_user()
    seed = make_analysed_song(version=version, embedding=on_circle(0), title="seed")
    near_less = make_analysed_song(version=version, embedding=on_circle(8), title="near less")
    less = make_analysed_song(version=version, embedding=on_circle(12), title="less")
    other = make_analysed_song(version=version, embedding=on_circle(-20), title="other")

    mix = [pick.song for pick in mix_create(seeds=[seed], avoid=[less], user=user, limit=2)]

    assert mix == [other, near_less]


# --- paths ---------------------------------------------------------------------------------------


def test_a_path_goes_from_a_to_b_in_steps_each_new_and_closer_to_b(cloud: list[Song]) -> None:
    user = make_user()
    start, end = min(
        ((a, b) for a in cloud[:10] for b in cloud[10:20]), key=lambda pair: cosine(*pair)
    )

    path = song_path(start=start, end=end, user=user, steps=8)

    songs = [step.song for step in path]
    assert len(songs) == 9
    assert (songs[0], songs[-1]) == (start, end)
    assert len({song.pk for song in songs}) == len(songs)
    assert path[0].similarity is None
    for before, step in itertools.pairwise(path):
        assert step.similarity == pytest.approx(cosine(before.song, step.song), abs=1e-5)
    gains = np.diff([step.to_end for step in path])
    assert gains.mean() > 0
    assert (gains > 0).sum() > len(gains) / 2
    # Each step is closer to the song before it than the two ends are to each other.
    assert min(step.similarity for step in path[1:]) > cosine(start, end)


def test_a_path_on_a_line_visits_the_songs_in_order(version: Any) -> None:
    start = make_analysed_song(version=version, embedding=on_circle(0), title="A")
    middle = [
        make_analysed_song(version=version, embedding=on_circle(d), title=f"{d}°")
        for d in (60, 30, 90, 120)
    ]
    end = make_analysed_song(version=version, embedding=on_circle(150), title="B")
    make_analysed_song(version=version, embedding=on_circle(-90), title="off the path")
    del middle

    path = song_path(start=start, end=end, user=None, steps=5)

    assert [step.song.title for step in path] == ["A", "30°", "60°", "90°", "120°", "B"]
    assert [round(step.similarity or 0, 3) for step in path] == [0.0] + [0.866] * 5
    assert song_path(start=start, end=start, user=None) == []


def test_radio_mix_and_path_take_a_fixed_number_of_queries(
    cloud: list[Song], django_assert_num_queries: Any, version: Any
) -> None:
    user = make_user()
    dislike_create(user=user, song=cloud[5])
    # Seed and history, the aversion (dislikes and skips), the candidates (a connection searches
    # wide enough for them already).
    with django_assert_num_queries(3):
        assert len(radio_next(seed=cloud[0], user=user, history=[c.pk for c in cloud[1:4]],
                              count=5, version=version)) == 5  # fmt: skip
    # Seeds, aversion, the search by the seeds together, then the rows found.
    with django_assert_num_queries(4):
        assert len(mix_create(seeds=cloud[:5], user=user, limit=20, version=version)) == 20
    with django_assert_num_queries(4):
        path = song_path(start=cloud[0], end=cloud[1], user=user, steps=10, version=version)
        assert len(path) == 11
        assert all(step.song.title for step in path)  # songs come with the rows: no lazy loads


# --- plays and for you ---------------------------------------------------------------------------


def test_songs_played_through_feed_for_you_and_popular_counts_plays(version: Any) -> None:
    user, fan = make_user(), make_user()
    heard = make_analysed_song(version=version, embedding=on_circle(0), title="heard")
    near = make_analysed_song(version=version, embedding=on_circle(5), title="near")
    far = make_analysed_song(version=version, embedding=on_circle(90), title="far")
    for _ in range(3):
        play_record(user=fan, song=far, seconds_played=100.0)
    fan.likes.create(song=near)

    cold = song_list_for_you(user=user, limit=2)
    assert cold.cold_start
    assert [(i.song, i.reason) for i in cold.items] == [
        (far, "popular: played 3 times"),
        (near, "popular: liked by 1 person"),
    ]
    assert cold.items[0].match == ""  # not recommended by sound: no "% match"

    play_record(user=user, song=heard, seconds_played=10.0)  # a skip is not a taste
    assert song_list_for_you(user=user, limit=2).cold_start
    play_record(user=user, song=heard, seconds_played=100.0)
    warm = song_list_for_you(user=user, limit=2)
    assert not warm.cold_start
    assert warm.explanation.startswith("From the 1 song you played through:")
    assert (warm.items[0].song, warm.items[0].reason) == (
        near,
        "because you played heard · both jazz",
    )
    assert heard not in [item.song for item in warm.items]


def test_for_you_keeps_one_genre_to_a_third_while_others_are_on_offer(version: Any) -> None:
    user = make_user()
    liked = make_analysed_song(version=version, embedding=on_circle(0), title="liked")
    user.likes.create(song=liked)
    for d in range(1, 7):
        make_analysed_song(version=version, embedding=on_circle(d), title=f"jazz {d}")
    for d in (40, 50, 60):
        make_analysed_song(
            version=version, embedding=on_circle(d), title=f"rock {d}", probabilities={"rock": 1.0}
        )

    result = song_list_for_you(user=user, limit=6)

    genres = [item.genre for item in result.items]
    # ceil(6 / 3) = 2 a genre: the nearest songs alone would be six jazz songs...
    assert sorted(genres[:4]) == ["jazz", "jazz", "rock", "rock"]
    assert len(genres) == 6  # ...and once every genre has its two, the list fills up freely
    assert "at most 2 from one genre while others are on offer" in result.explanation
