"""``/rest/<endpoint>`` and ``/rest/<endpoint>.view`` for every Subsonic endpoint."""

from django.urls import path

from subsonic.endpoints import ENDPOINTS, unknown
from subsonic.views import (  # noqa: F401  (importing them registers their endpoints)
    annotation,
    browsing,
    media,
    playlists,
    sonic,
    system,
)

app_name = "subsonic"

urlpatterns = [
    route
    for name, view in sorted(ENDPOINTS.items())
    for route in (path(name, view, name=name), path(f"{name}.view", view))
]
urlpatterns.append(path("<path:name>", unknown))
