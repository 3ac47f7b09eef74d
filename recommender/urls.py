"""Root URLs: admin, accounts, health, the library app and the API."""

from django.contrib import admin
from django.urls import include, path

from recommender.views import accounts, health, library, upload

app_patterns = (
    [
        path("", library.home, name="home"),
        path("upload/", upload.upload, name="upload"),
        path("songs/status/", upload.song_status, name="song_status"),
        path("songs/<int:song_id>/", library.song_detail, name="song_detail"),
        path("songs/<int:song_id>/edit/", library.song_edit, name="song_edit"),
    ],
    "recommender",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("recommender.api.urls")),
    path("", include(app_patterns)),
]
