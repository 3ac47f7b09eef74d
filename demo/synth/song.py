"""The song being rendered, its seeded randomness, and beat timing."""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

_T = TypeVar("_T")


@dataclass(frozen=True)
class Song:
    sr: int
    n: int  # samples in the finished song
    rng: np.random.Generator

    def bars(self, *, bpm: float, beats_per_bar: int) -> int:
        """Bars needed to cover the song (one extra so nothing stops short of the end)."""
        return math.ceil(self.n / self.sr / (beats_per_bar * 60.0 / bpm)) + 1


def seeded_rng(style: str, seed: int, stream: str) -> np.random.Generator:
    # crc32 rather than hash(): str hashes are salted per process and would break determinism.
    entropy = [zlib.crc32(style.encode()), int(seed) % 2**64, zlib.crc32(stream.encode())]
    return np.random.default_rng(np.random.SeedSequence(entropy))


def loop(
    bar_patterns: Sequence[Sequence[tuple[float, float]]], *, beats_per_bar: int
) -> tuple[np.ndarray, np.ndarray]:
    """One (beat, velocity) pattern per bar -> absolute beat positions (k,) and velocities (k,)."""
    beats = [bar * beats_per_bar + b for bar, p in enumerate(bar_patterns) for b, _ in p]
    vels = [v for p in bar_patterns for _, v in p]
    return np.asarray(beats, dtype=np.float64), np.asarray(vels, dtype=np.float64)


def pick(rng: np.random.Generator, options: Sequence[_T]) -> _T:
    return options[int(rng.integers(len(options)))]


def secs(
    bar_patterns: Sequence[Sequence[tuple[float, float]]], beat: float
) -> tuple[np.ndarray, np.ndarray]:
    """4/4 bar patterns -> hit times in seconds (k,) and velocities (k,)."""
    beats, vels = loop(bar_patterns, beats_per_bar=4)
    return beats * beat, vels
