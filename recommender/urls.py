"""Root URLs: admin, accounts, health, and the library app."""

from django.contrib import admin
from django.urls import include, path

from recommender.views import accounts, health, library

app_patterns = (
    [
        path("", library.home, name="home"),
        path("songs/<int:song_id>/", library.song_detail, name="song_detail"),
    ],
    "recommender",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("", include(app_patterns)),
]
