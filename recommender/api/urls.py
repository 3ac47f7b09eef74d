"""API routes, mounted at /api/ by recommender.urls."""

from django.urls import path

from recommender.api import views

app_name = "api"

urlpatterns = [
    path("songs/", views.song_upload, name="song_upload"),
    path("songs/<int:song_id>/", views.song_detail, name="song_detail"),
]
