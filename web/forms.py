"""Forms for the owner's edits (the checks are repeated by the services they feed) and filters."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm

from library.models import Song


class SongEditForm(forms.Form):
    title = forms.CharField(max_length=Song._meta.get_field("title").max_length)
    artist = forms.CharField(max_length=Song._meta.get_field("artist").max_length, required=False)


# The library's sort names and the song-list orderings they stand for.
LIBRARY_SORTS = {"newest": "-created_at", "title": "title", "artist": "artist"}


class SignupForm(UserCreationForm):
    """Django's sign-up form, with an invite code when sign-up is invite-only (SIGNUP=invite)."""

    invite_code = forms.CharField(max_length=200, required=False, label="Invite code")

    def __init__(self, *args: Any, invite_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if invite_required:
            self.fields["invite_code"].required = True
        else:
            del self.fields["invite_code"]

    def clean_invite_code(self) -> str:
        code = self.cleaned_data.get("invite_code", "")
        # Compared in constant time: the codes are secrets.
        if not any(
            secrets.compare_digest(code.encode(), valid.encode())
            for valid in settings.SIGNUP_INVITE_CODES
        ):
            raise forms.ValidationError("This invite code is not valid.")
        return code


class LibraryFilterForm(forms.Form):
    """The library's search box and filters, read from the query string.

    A value that is not one of the choices (an old link, a hand-edited URL) is dropped, not an
    error: the library then shows everything for that filter.
    """

    q = forms.CharField(required=False, max_length=200, label="Search")
    genre = forms.ChoiceField(required=False, label="Predicted genre")
    label = forms.ChoiceField(required=False, label="Label")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Song.Status.choices], label="Status"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(name, name.title()) for name in LIBRARY_SORTS],
        label="Sort",
    )

    def __init__(self, data: Any, *, genres: list[str], labels: list[str]) -> None:
        super().__init__(data)
        self.fields["genre"].choices = [("", "Any genre"), *((g, _text(g)) for g in genres)]  # type: ignore[attr-defined]
        self.fields["label"].choices = [("", "Any label"), *((g, _text(g)) for g in labels)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid values, "" for the others: keyword arguments for `song_list`."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "search": cleaned.get("q", ""),
            "genre": cleaned.get("genre", ""),
            "label": cleaned.get("label", ""),
            "status": cleaned.get("status", ""),
            "ordering": LIBRARY_SORTS[cleaned.get("sort") or "newest"],
        }


def _text(name: str) -> str:
    return name.replace("-", " ").replace("_", " ")
