from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    """Model versions, analyses, training, inference and the analysis pipeline."""

    name = "classifier"
    verbose_name = "Classifier"

    def ready(self) -> None:
        # Imported here, not at module level: receivers import models, which need the registry.
        from classifier.receivers import analysis_requested_receiver
        from library.signals import analysis_requested

        analysis_requested.connect(
            analysis_requested_receiver, dispatch_uid="classifier.analysis_requested"
        )
