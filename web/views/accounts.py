"""Sign-up, and Django's log-in refusing guessers; log-out is Django's own view."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework.throttling import BaseThrottle

from library.services import user_create


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form: UserCreationForm = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("web:home")
    return render(request, "registration/signup.html", {"form": form})


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PERIOD_NAMES = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}


class ThrottledLoginView(LoginView):
    """Django's log-in, refusing (HTTP 429) after LOGIN_THROTTLE failures per address and username.

    Failures are counted in the default cache, shared by every web process, for one period of the
    rate ("10/minute": 10 failures, then a minute's wait from the first); a success clears them.
    While refused, the password is not even checked.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit, period, period_name = _login_throttle()
        if (cache.get(self._failures_key()) or 0) >= limit:
            messages.error(
                request,
                "Too many failed log-ins for this account from your address. "
                f"Wait {period_name} and try again.",
            )
            form = AuthenticationForm(request, initial={"username": self._username()})
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(period)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        cache.delete(self._failures_key())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        key, (_, period, _) = self._failures_key(), _login_throttle()
        cache.add(key, 0, timeout=period)  # the window starts at the first failure
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: this failure starts a new window
            cache.set(key, 1, timeout=period)
        return super().form_invalid(form)

    def _username(self) -> str:
        return self.request.POST.get("username", "")[:150]

    def _failures_key(self) -> str:
        # DRF's client address: REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies.
        address = BaseThrottle().get_ident(self.request)  # type: ignore[arg-type]
        who = f"{address}\0{self._username().casefold()}".encode()
        return f"login-failures:{hashlib.sha256(who).hexdigest()}"


def _login_throttle() -> tuple[int, int, str]:
    """LOGIN_THROTTLE ("10/minute") as (failures, period in seconds, the period in words)."""
    count, unit = settings.LOGIN_THROTTLE.split("/")
    return int(count), _PERIODS[unit[0]], _PERIOD_NAMES[unit[0]]
