"""API routes, mounted at /api/ by timbre.urls; the OpenAPI schema is at /api/schema/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.views import (
    albums,
    auth,
    labels,
    likes,
    listening,
    model_versions,
    playlists,
    recommendations,
    songs,
)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("auth/token/", auth.TokenObtainView.as_view(), name="token"),
    path("me/token/", auth.MyTokenView.as_view(), name="my_token"),
    path("songs/", songs.SongListView.as_view(), name="song_list"),
    path("songs/<int:song_id>/", songs.SongDetailView.as_view(), name="song_detail"),
    path("songs/<int:song_id>/similar/", songs.SimilarSongsView.as_view(), name="song_similar"),
    path("songs/<int:song_id>/like/", likes.SongLikeView.as_view(), name="song_like"),
    path("songs/<int:song_id>/label/", labels.SongLabelView.as_view(), name="song_label"),
    path("likes/", likes.LikeListView.as_view(), name="like_list"),
    path(
        "label-suggestions/",
        labels.LabelSuggestionListView.as_view(),
        name="label_suggestion_list",
    ),
    path("albums/", albums.AlbumListView.as_view(), name="album_list"),
    path("albums/<int:album_id>/", albums.AlbumDetailView.as_view(), name="album_detail"),
    path("recommendations/", recommendations.ForYouView.as_view(), name="recommendations"),
    path("songs/<int:song_id>/dislike/", listening.SongDislikeView.as_view(), name="song_dislike"),
    path("dislikes/", listening.DislikeListView.as_view(), name="dislike_list"),
    path("plays/", listening.PlayListView.as_view(), name="play_list"),
    path("radio/", listening.RadioView.as_view(), name="radio"),
    path("mixes/", listening.MixView.as_view(), name="mix"),
    path("path/", listening.PathView.as_view(), name="path"),
    path("playlists/", playlists.PlaylistListView.as_view(), name="playlist_list"),
    path("playlists/import/", playlists.PlaylistImportView.as_view(), name="playlist_import"),
    path(
        "playlists/<int:playlist_id>/",
        playlists.PlaylistDetailView.as_view(),
        name="playlist_detail",
    ),
    path(
        "playlists/<int:playlist_id>/songs/",
        playlists.PlaylistSongsView.as_view(),
        name="playlist_songs",
    ),
    path(
        "playlists/<int:playlist_id>/m3u8/",
        playlists.PlaylistM3U8View.as_view(),
        name="playlist_m3u8",
    ),
    path(
        "playlists/<int:playlist_id>/xspf/",
        playlists.PlaylistXSPFView.as_view(),
        name="playlist_xspf",
    ),
    path("models/", model_versions.ModelVersionListView.as_view(), name="model_version_list"),
    path(
        "models/<int:version_id>/",
        model_versions.ModelVersionDetailView.as_view(),
        name="model_version_detail",
    ),
]
