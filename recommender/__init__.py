"""What to recommend and why: similar songs, For you, the song profile, genres and the map."""
