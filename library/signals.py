"""What the library tells other apps, without importing them.

`analysis_requested` is sent inside the transaction that stored or reset the songs, with
``song_ids`` (list of int) and ``force`` (bool: re-analyse even if the active model already has).
The classifier app connects to it in its ``AppConfig.ready()`` and queues the analyses once the
transaction commits, so the library never imports the classifier.
"""

from django.dispatch import Signal

analysis_requested = Signal()
