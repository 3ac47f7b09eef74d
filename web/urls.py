"""The web UI's URLs, namespaced "web"."""

from django.urls import path

from web.views import albums, discover, library, model_versions, songs, upload

app_name = "web"

urlpatterns = [
    path("", library.home, name="home"),
    path("upload/", upload.upload, name="upload"),
    path("songs/status/", upload.song_status, name="song_status"),
    path("songs/<int:song_id>/", songs.song_detail, name="song_detail"),
    path("songs/<int:song_id>/edit/", songs.song_edit, name="song_edit"),
    path("songs/<int:song_id>/audio/", songs.song_audio, name="song_audio"),
    path(
        "songs/<int:song_id>/spectrogram.png",
        songs.song_spectrogram,
        name="song_spectrogram",
    ),
    path("songs/<int:song_id>/like/", songs.song_like, name="song_like"),
    path("songs/<int:song_id>/unlike/", songs.song_unlike, name="song_unlike"),
    path("songs/<int:song_id>/share/", songs.song_share, name="song_share"),
    path("albums/", albums.album_index, name="album_list"),
    path("albums/<int:album_id>/", albums.album_detail, name="album_detail"),
    path("albums/<int:album_id>/cover.jpg", albums.album_cover, name="album_cover"),
    path("artists/<path:name>/", albums.artist_detail, name="artist_detail"),
    path("for-you/", discover.for_you, name="for_you"),
    path("genres/", discover.genre_list, name="genre_list"),
    path("genres/<slug:name>/", discover.genre_detail, name="genre_detail"),
    path("map/", discover.song_map, name="map"),
    path("map/points.json", discover.song_map_points, name="map_points"),
    path("models/", model_versions.model_version_index, name="model_versions"),
    path(
        "models/<int:version_id>/confusion.png",
        model_versions.model_version_confusion,
        name="model_version_confusion",
    ),
    path(
        "models/<int:version_id>/activate/",
        model_versions.model_version_activate_view,
        name="model_version_activate",
    ),
]
