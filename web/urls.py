"""The web UI's URLs, namespaced "web"."""

from django.urls import path

from web.views import (
    albums,
    discover,
    library,
    listening,
    model_versions,
    songs,
    teach,
    upload,
)

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
    path("songs/<int:song_id>/delete/", listening.song_delete_view, name="song_delete"),
    path("songs/<int:song_id>/retry/", listening.song_retry, name="song_retry"),
    path("songs/<int:song_id>/dislike/", listening.song_dislike, name="song_dislike"),
    path("mine/", listening.my_uploads, name="my_uploads"),
    path("liked/", listening.liked, name="liked"),
    path("path/", listening.path_page, name="path"),
    path("playlists/", listening.playlist_list, name="playlist_list"),
    path("playlists/import/", listening.playlist_import, name="playlist_import"),
    path("playlists/<int:playlist_id>/", listening.playlist_detail, name="playlist_detail"),
    path("playlists/<int:playlist_id>/edit/", listening.playlist_edit, name="playlist_edit"),
    path("playlists/<int:playlist_id>/move/", listening.playlist_move, name="playlist_move"),
    path(
        "playlists/<int:playlist_id>/delete/",
        listening.playlist_delete_view,
        name="playlist_delete",
    ),
    path(
        "playlists/<int:playlist_id>/export.<str:kind>",
        listening.playlist_export,
        name="playlist_export",
    ),
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
    path("teach/", teach.teach, name="teach"),
    path("teach/how/", teach.teach_how, name="teach_how"),
    path("teach/songs/<int:song_id>/label/", teach.teach_label, name="teach_label"),
    path("teach/retrain/", teach.teach_retrain, name="teach_retrain"),
    path("teach/training.json", teach.teach_training_status, name="teach_training_status"),
]
