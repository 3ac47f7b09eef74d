from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    """Recommendations over the classifier's embeddings. It has no models of its own."""

    name = "recommender"
    verbose_name = "Recommender"
