"""The web UI: thin views over the library, classifier and recommender, forms, template tags."""
