"""What the library tells other apps, without importing them.

`analysis_requested` is sent inside the transaction that stored or reset the songs, with
``song_ids`` (list of int), ``force`` (bool: re-analyse even if the active model already has) and
``receipt`` (a `QueueReceipt` the receiver fills in once the transaction commits). The classifier
app connects to it in its ``AppConfig.ready()`` and queues the analyses, so the library never
imports the classifier. `analysis_request` sends it and returns the receipt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.dispatch import Signal

analysis_requested = Signal()


@dataclass
class QueueReceipt:
    """Whether the broker took the songs' analyses, known once the transaction commits.

    None until then (or when nothing listens); False: the broker was down, the songs stay pending
    and the sweeper sends them once it is back (SWEEP_GRACE_SECONDS).
    """

    sent: bool | None = None


def analysis_request(*, song_ids: Iterable[int], force: bool = False) -> QueueReceipt:
    """Ask for the songs' analyses once the current transaction commits."""
    receipt = QueueReceipt()
    analysis_requested.send(sender=None, song_ids=list(song_ids), force=force, receipt=receipt)
    return receipt
