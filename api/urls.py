"""API routes, mounted at /api/ by timbre.urls; the OpenAPI schema is at /api/schema/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.views import albums, auth, likes, model_versions, recommendations, songs

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", auth.TokenObtainView.as_view(), name="token"),
    path("songs/", songs.SongListView.as_view(), name="song_list"),
    path("songs/<int:song_id>/", songs.SongDetailView.as_view(), name="song_detail"),
    path("songs/<int:song_id>/similar/", songs.SimilarSongsView.as_view(), name="song_similar"),
    path("songs/<int:song_id>/like/", likes.SongLikeView.as_view(), name="song_like"),
    path("likes/", likes.LikeListView.as_view(), name="like_list"),
    path("albums/", albums.AlbumListView.as_view(), name="album_list"),
    path("albums/<int:album_id>/", albums.AlbumDetailView.as_view(), name="album_detail"),
    path("recommendations/", recommendations.ForYouView.as_view(), name="recommendations"),
    path("models/", model_versions.ModelVersionListView.as_view(), name="model_version_list"),
    path(
        "models/<int:version_id>/",
        model_versions.ModelVersionDetailView.as_view(),
        name="model_version_detail",
    ),
]
