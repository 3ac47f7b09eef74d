"""Audio without Django: decoding and probing files, their errors, the frozen log-mel features."""
