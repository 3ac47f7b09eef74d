"""The JSON API at /api/: session or token authentication, OpenAPI schema at /api/schema/."""
