"""The one list of model architectures Timbre can train; each names its feature preset.

Kept free of Keras and librosa so that models, forms and web processes can import it. The feature
parameters of each architecture live beside the trainer (`classifier.trainer.feature_params_for`),
whose preset name is the architecture's value.
"""

from __future__ import annotations

from django.db import models


class Architecture(models.TextChoices):
    MUSICNN = "musicnn", "musicnn (pretrained) + head"
    SEED = "seed", "Reference CNN (from scratch)"
