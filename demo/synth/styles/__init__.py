"""The six styles: one composer module each, plus the per-style tables the public API reads."""

from __future__ import annotations

from collections.abc import Callable

from demo.synth.mix import Stem
from demo.synth.song import Song
from demo.synth.styles import ambient, breakbeat, rock, swing, techno, waltz

TITLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "synth-techno": (
        ("Chrome", "Neon", "Concrete", "Binary", "Midnight", "Static", "Voltage", "Strobe"),
        ("Warehouse", "Circuit", "Pulse", "Grid", "Loop", "Corridor", "Engine", "Signal"),
    ),
    "synth-ambient": (
        ("Slow", "Distant", "Pale", "Drifting", "Quiet", "Glacial", "Hollow", "Amber"),
        ("Horizon", "Tide", "Fog", "Lantern", "Meadow", "Orbit", "Harbour", "Snowfield"),
    ),
    "synth-swing": (
        ("Blue", "Late", "Smoky", "Velvet", "Uptown", "Sideways", "Brass", "Lazy"),
        ("Sine Shuffle", "Oscillator Blues", "Ride", "Walk", "Stroll", "Hour", "Step", "Lounge"),
    ),
    "synth-rock": (
        ("Loud", "Broken", "Electric", "Highway", "Rusty", "Burning", "Heavy", "Wild"),
        ("Amplifier", "Engine", "Riff", "Anthem", "Garage", "Thunder", "Fuse", "Voltage"),
    ),
    "synth-waltz": (
        ("Little", "Clockwork", "Porcelain", "Candlelit", "Spinning", "Silver", "Old", "Moonlit"),
        ("Waltz", "Music Box", "Carousel", "Ballroom", "Minuet", "Ribbon", "Dancer", "Garden"),
    ),
    "synth-breakbeat": (
        ("Rapid", "Sub", "Jungle", "Night", "Fractured", "Liquid", "Rolling", "Tunnel"),
        ("Break", "Pressure", "Sprint", "Chase", "Sequence", "Current", "Rush", "Circuit"),
    ),
}

REVERB_SECONDS: dict[str, tuple[float, float]] = {  # (shortest, longest) tail per style
    "synth-techno": (0.8, 1.5),
    "synth-ambient": (3.0, 4.5),
    "synth-swing": (1.0, 1.8),
    "synth-rock": (0.8, 1.4),
    "synth-waltz": (1.5, 2.5),
    "synth-breakbeat": (0.8, 1.5),
}
COMPOSERS: dict[str, Callable[[Song], list[Stem]]] = {
    "synth-techno": techno.compose,
    "synth-ambient": ambient.compose,
    "synth-swing": swing.compose,
    "synth-rock": rock.compose,
    "synth-waltz": waltz.compose,
    "synth-breakbeat": breakbeat.compose,
}
