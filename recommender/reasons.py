"""What a recommendation says: one labelled score, and what two songs share.

The score shown is the score the list is ordered by ("87 % match"), so the numbers a person reads
always agree with the order. The reason names what two songs have in common, from the serving
model's analyses: the same predicted genre, and the strongest tags the pretrained network hears in
both ("both jazz · instrumental, mellow").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from classifier.models import Analysis

# A pretrained tag counts as heard in a song from this score on (sigmoid outputs of musicnn's 50
# tags: a clear tag scores 0.3-0.7, background ones under 0.05).
TAG_PRESENT = 0.1
# Shared tags a reason names at most.
REASON_TAGS = 2


class Traits(Protocol):
    """What a reason reads of a song's analysis: an Analysis, or a search's row."""

    @property
    def predicted_genre(self) -> str: ...

    @property
    def tags(self) -> Mapping[str, Any] | None: ...


def match_label(score: float) -> str:
    """A score in [0, 1] as a person reads it: "87 % match"."""
    return f"{round(100 * min(max(score, 0.0), 1.0))} % match"


def genre_text(name: str) -> str:
    return name.replace("-", " ").replace("_", " ")


def shared_tags(a: Traits, b: Traits, *, limit: int = REASON_TAGS) -> list[str]:
    """The tags heard in both songs, strongest in both first (by the lower of the two scores)."""
    tags_a, tags_b = a.tags or {}, b.tags or {}
    genres = {a.predicted_genre, b.predicted_genre}
    common = [
        (min(float(tags_a[name]), float(tags_b[name])), name)
        for name in tags_a.keys() & tags_b.keys()
        if name not in genres
    ]
    ranked = sorted(
        (item for item in common if item[0] >= TAG_PRESENT), key=lambda i: (-i[0], i[1])
    )
    return [genre_text(name) for _, name in ranked[:limit]]


def shared_traits(a: Traits, b: Traits) -> str:
    """ "both jazz · instrumental, mellow", "both instrumental", or "" when nothing is shared."""
    parts = []
    if a.predicted_genre and a.predicted_genre == b.predicted_genre:
        parts.append(f"both {genre_text(a.predicted_genre)}")
    tags = shared_tags(a, b)
    if tags:
        parts.append(", ".join(tags) if parts else f"both {', '.join(tags)}")
    return " · ".join(parts)


def reason_from(*, seed: Analysis | None, item: Traits, verb: str = "like") -> str:
    """A reason that names `seed` (a song other than the page's own) and what they share.

    Without `seed` (the page's own song is the seed), only what they share: naming the song the
    page is about would say nothing.
    """
    if seed is None:
        return ""
    return reason_naming(title=seed.song.title, seed=seed, item=item, verb=verb)


def reason_naming(*, title: str, seed: Traits, item: Traits, verb: str = "like") -> str:
    """ "like Y · both jazz": `verb`, the title of `seed`, and what it shares with `item`."""
    traits = shared_traits(seed, item)
    named = f"{verb} {title}"
    return f"{named} · {traits}" if traits else named
