"""How the classifier hears about songs to analyse: the library's signal, connected in ready()."""

from __future__ import annotations

from typing import Any

from classifier.pipeline import enqueue_analysis
from library.signals import QueueReceipt


def analysis_requested_receiver(
    *, song_ids: list[int], force: bool, receipt: QueueReceipt, **kwargs: Any
) -> None:
    """Queue the songs' analyses once the library's transaction commits; fill in `receipt`."""
    enqueue_analysis(song_ids=song_ids, force=force, receipt=receipt)
