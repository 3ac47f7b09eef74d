"""Forms for the owner's edits; the checks are repeated by the services they feed."""

from __future__ import annotations

from django import forms

from recommender.models import Song


class SongEditForm(forms.Form):
    title = forms.CharField(max_length=Song._meta.get_field("title").max_length)
    artist = forms.CharField(max_length=Song._meta.get_field("artist").max_length, required=False)
