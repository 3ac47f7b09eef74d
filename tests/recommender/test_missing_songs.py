"""A scanned song whose file is gone is kept, but never recommended: it cannot be played."""

from __future__ import annotations

import pytest
from django.utils import timezone

from library.models import Song
from recommender.recommendations import song_list_for_you, song_list_similar
from tests.factories import make_analysed_song, make_serving_version, make_user, unit_vector

pytestmark = pytest.mark.django_db


def test_missing_songs_are_neither_similar_nor_for_you() -> None:
    version = make_serving_version()
    seed = make_analysed_song(version=version, embedding=unit_vector([1.0, 0.0]), title="Seed")
    gone = make_analysed_song(version=version, embedding=unit_vector([1.0, 0.1]), title="Gone")
    make_analysed_song(version=version, embedding=unit_vector([1.0, 0.3]), title="Here")
    Song.objects.filter(pk=gone.pk).update(missing_since=timezone.now())

    similar = [item.song.title for item in song_list_similar(song=seed, user=None)]
    cold = [item.song.title for item in song_list_for_you(user=make_user()).items]

    assert similar == ["Here"]
    assert "Gone" not in cold and "Here" in cold
