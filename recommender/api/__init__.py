"""The JSON API, mounted at /api/ (session or token authentication, owners only)."""
