"""The library: songs, genre labels, likes, uploads, storage, streaming, and who may see what."""
