"""Root URLs: admin, accounts, health, the web UI, the API and the Subsonic API."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from subsonic.views import account as subsonic_account
from timbre import health
from web.views import accounts

urlpatterns = [
    # Songs, genres and likes moved from the first app's admin pages to the library's.
    re_path(
        r"^admin/recommender/(?P<rest>(?:song|genre|like)/.*)$",
        RedirectView.as_view(url="/admin/library/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    # Before Django's own auth URLs, so that this log-in (throttled) answers for "login".
    path("accounts/login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("accounts/token/", accounts.api_token, name="api_token"),
    path(
        "accounts/subsonic/",
        subsonic_account.subsonic_credentials,
        name="subsonic_credentials",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("api.urls")),
    # The Subsonic/OpenSubsonic API that music players speak.
    path("rest/", include("subsonic.urls")),
    path("", include("web.urls")),
]

handler400 = "web.views.errors.bad_request"
handler403 = "web.views.errors.permission_denied"
handler404 = "web.views.errors.page_not_found"
handler500 = "web.views.errors.server_error"
