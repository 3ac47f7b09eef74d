"""API views: thin adapters from HTTP to selectors and services, one module per resource."""
