"""Sign-up, and Django's log-in refusing guessers; log-out is Django's own view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from library.services import token_revoke, token_rotate, user_create
from library.services.throttles import (
    client_address,
    login_failure_record,
    login_refusal,
    login_success_record,
    signup_attempt_take,
)
from web.forms import SignupForm


@sensitive_post_parameters("password1", "password2", "invite_code")
def signup(request: HttpRequest) -> HttpResponse:
    """Sign-up as SIGNUP says: open, invite-only (a code from SIGNUP_INVITE_CODES), or closed.

    Attempts are throttled per address (SIGNUP_THROTTLE), whether they succeed or not.
    """
    if request.user.is_authenticated:
        return redirect("web:home")
    if settings.SIGNUP == "closed":
        return render(request, "registration/signup.html", {"closed": True}, status=403)
    form = SignupForm(request.POST or None, invite_required=settings.SIGNUP == "invite")
    if request.method == "POST":
        retry_after = signup_attempt_take(address=client_address(request))
        if retry_after is not None:
            messages.error(request, "Too many sign-ups from your address. Try again later.")
            response = render(request, "registration/signup.html", {"form": form}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if form.is_valid():
            user = user_create(
                username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:home")
    return render(request, "registration/signup.html", {"form": form})


class ThrottledLoginView(LoginView):
    """Django's log-in, refusing (HTTP 429) guessers before their password is checked.

    Refused after LOGIN_THROTTLE failures for one account (its username normalised as the form
    does, case-folded) from one address, or LOGIN_ADDRESS_THROTTLE failures from one address for
    any accounts; a success forgets that account's failures. The counters fail open when the
    cache (Redis) is down: log-in keeps working, with a warning in the log.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = login_refusal(address=client_address(request), username=self._username())
        if refusal is not None:
            messages.error(
                request,
                "Too many failed log-ins for this account from your address. "
                f"Wait {refusal.period_name} and try again.",
            )
            form = AuthenticationForm(request, initial={"username": self._username()})
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_success_record(address=client_address(self.request), username=self._username())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        login_failure_record(address=client_address(self.request), username=self._username())
        return super().form_invalid(form)

    def _username(self) -> str:
        return self.request.POST.get("username", "")[:1000]


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """My API token: see it, rotate it (POST action=rotate) or revoke it (action=revoke)."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token_revoke(user=request.user)  # type: ignore[arg-type]
            messages.success(request, "Your API token is revoked.")
        else:
            token_rotate(user=request.user)  # type: ignore[arg-type]
            messages.success(request, "You have a new API token; the old one no longer works.")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    response = render(request, "registration/api_token.html", {"token": token})
    response["Cache-Control"] = "no-store"  # a secret: no copy in any cache
    return response
