"""The JSON API at /api/: thin views over the same selectors and services as the web.

Session or token authentication; OpenAPI schema at /api/schema/.
"""
