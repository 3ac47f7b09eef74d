"""Timbre's settings: one module, every value from the environment (see ``.env.example``).

Defaults serve a self-hosted machine through ``make run`` (``DEBUG`` off, plain HTTP on localhost);
a public server sets ``ALLOWED_HOSTS`` and ``HTTPS=1`` and gets the secure defaults that
``manage.py check --deploy`` asks for. ``make dev`` turns ``DEBUG`` on.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from timbre import paths
from timbre.env import (
    cache_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_rate,
    env_required,
    env_str,
    redis_cache_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = paths.data_dir()

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-never-used-with-debug-off"
else:
    SECRET_KEY = env_required(
        "SECRET_KEY",
        hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    )
# `make run` answers on http://127.0.0.1:8000 out of the box; a public server names its host.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Lowest layer first: each app may import only the apps above it in this list.
    "library",
    "classifier",
    "recommender",
    "demo",
    "web",
    "subsonic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "timbre.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "timbre.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "timbre.urls"
WSGI_APPLICATION = "timbre.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.model_notice",
            ],
        },
    },
]


DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or paths.embedded_database_url(),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Concurrent test runs on one server (two checkouts, or a developer beside CI) must not share
# the test database; `timbre.stack test` names one per run.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
# Failed log-ins per client address and username (web form), and token requests per address (API),
# before HTTP 429 until the period is over.
LOGIN_THROTTLE = env_rate("LOGIN_THROTTLE", "10/minute")
# Failed log-ins per client address, whichever accounts they try (web form and API).
LOGIN_ADDRESS_THROTTLE = env_rate("LOGIN_ADDRESS_THROTTLE", "30/minute")
# Who may create an account: open (anyone), invite (with one of SIGNUP_INVITE_CODES), closed
# (only `make admin` and the admin site create accounts).
SIGNUP = env_choice("SIGNUP", "open", choices=("open", "invite", "closed"))
SIGNUP_INVITE_CODES = env_list("SIGNUP_INVITE_CODES", [])
if SIGNUP == "invite" and not SIGNUP_INVITE_CODES:
    raise ImproperlyConfigured("SIGNUP=invite needs SIGNUP_INVITE_CODES (comma-separated codes)")
# Sign-up attempts (successful or not) per client address.
SIGNUP_THROTTLE = env_rate("SIGNUP_THROTTLE", "10/hour")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
MODEL_DIR = Path(env_str("MODEL_DIR") or DATA_DIR / "models")
# Features computed for training, reusable across runs; safe to delete.
CACHE_DIR = Path(env_str("CACHE_DIR") or DATA_DIR / "cache")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs `collectstatic`, which the production image runs at build time.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- uploads --------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024
MAX_FILES_PER_UPLOAD = env_int("MAX_FILES_PER_UPLOAD", 20, minimum=1)
USER_QUOTA_BYTES = env_int("USER_QUOTA_MB", 5000, minimum=1) * 1024 * 1024
# Files above this go to a temporary file instead of memory while the request is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The limit handler goes first: it stops reading at the first file over MAX_UPLOAD_BYTES or past
# MAX_FILES_PER_UPLOAD, so that the view can answer with a clear 413/400 (library.upload_limits).
FILE_UPLOAD_HANDLERS = [
    "library.upload_limits.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's own cap answers a bare "400 Bad Request"; one more lets the handler above speak first.
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_FILES_PER_UPLOAD + 1
# Files per user and period, web form and API together (counted in files, not requests), and
# megabytes per the same period (library.services.throttles).
UPLOAD_THROTTLE = env_rate("UPLOAD_THROTTLE", "60/hour")
UPLOAD_THROTTLE_BYTES = env_int("UPLOAD_THROTTLE_MB", 2000, minimum=1) * 1024 * 1024

# --- music folders (scanned in place, read-only) -------------------------------------------
# Folders indexed where they are (comma-separated absolute paths); beat re-scans them.
MUSIC_DIRS = env_list("MUSIC_DIRS", [])
MUSIC_SCAN_MINUTES = env_int("MUSIC_SCAN_MINUTES", 60, minimum=1)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",  # scripts: manage.py drf_create_token
        "rest_framework.authentication.SessionAuthentication",  # the browser, CSRF enforced
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Counted in the default cache (CACHES below), shared by every web process.
    "DEFAULT_THROTTLE_RATES": {"login": LOGIN_THROTTLE},
    # Throttles tell clients apart by address. 0: REMOTE_ADDR, which nobody can forge; behind N
    # reverse proxies, the Nth address from the right of X-Forwarded-For. (DRF's default trusts
    # the whole header, which a client may write to escape the log-in throttle.)
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Timbre API",
    "DESCRIPTION": (
        "Your music library: upload songs, browse what you may see, like songs, and get similar "
        "songs and recommendations. Authenticate with a token (`Authorization: Token <key>`, "
        "from POST /api/auth/token/) or the browser session (send the CSRF token on writes). "
        'Errors are `{"code", "detail"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,  # the schema endpoint does not describe itself
    # Upload takes multipart files and answers JSON: separate request and response components.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default hook
        "api.schema.add_common_error_responses",
    ],
}

# --- analysis -------------------------------------------------------------------------------
# Segments per forward pass: 4 keeps a CPU worker's memory low (classifier.inference); a GPU
# worker wants 32 or more.
INFERENCE_BATCH_SIZE = env_int("INFERENCE_BATCH_SIZE", 4, minimum=1)

# --- recommender ----------------------------------------------------------------------------
# Weight of genre agreement against embedding similarity in "similar songs" (0 = cosine only).
RECOMMENDER_GENRE_WEIGHT = env_float("RECOMMENDER_GENRE_WEIGHT", 0.3, minimum=0.0)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or paths.embedded_broker_url()
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # results live in the database, not in a result backend
# Queue names come from the environment so that concurrent test runs on one Redis never take
# each other's tasks (`timbre.stack test` names a pair per run).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_DEFAULT_QUEUE") or "celery"
CLASSIFIER_QUEUE = env_str("CELERY_CLASSIFIER_QUEUE") or "classifier"
CELERY_TASK_ROUTES = {"classifier.*": {"queue": CLASSIFIER_QUEUE}}
# One task at a time per process: analyses are long and uneven, prefetching would starve others.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Late acks are opted into per task, only for the idempotent ones (see classifier.tasks).
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_SOFT_TIME_LIMIT = env_int("TASK_SOFT_TIME_LIMIT", 540, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("TASK_TIME_LIMIT", 600, minimum=1)
# Redis re-delivers an unacknowledged task after the visibility timeout: it must exceed the hard
# time limit or a slow but healthy task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2}
CELERY_WORKER_SEND_TASK_EVENTS = False
# The sweeper re-queues songs stuck longer than this after a crash or a lost broker.
SWEEP_GRACE_SECONDS = env_int("SWEEP_GRACE_SECONDS", 120, minimum=1)
SWEEP_INTERVAL_SECONDS = env_float("SWEEP_INTERVAL_SECONDS", 60.0, minimum=0.1)
HEARTBEAT_INTERVAL_SECONDS = env_float("HEARTBEAT_INTERVAL_SECONDS", 15.0, minimum=0.1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-songs": {"task": "classifier.sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    # /healthz reports how long ago a worker last ran a task sent by beat.
    "worker-heartbeat": {"task": "workers.heartbeat", "schedule": HEARTBEAT_INTERVAL_SECONDS},
}
# /healthz answers 503 "degraded" when the last heartbeat or sweep is older than this: beat or
# every worker has stopped. Four heartbeats, so one slow one is not an alarm.
HEALTH_HEARTBEAT_MAX_AGE = env_float(
    "HEALTH_HEARTBEAT_MAX_AGE", 4 * HEARTBEAT_INTERVAL_SECONDS, minimum=1.0
)
HEALTH_SWEEP_MAX_AGE = env_float("HEALTH_SWEEP_MAX_AGE", 3 * SWEEP_INTERVAL_SECONDS, minimum=1.0)
if MUSIC_DIRS:
    CELERY_BEAT_SCHEDULE["scan-music-dirs"] = {
        "task": "library.scan_music_dirs",
        "schedule": MUSIC_SCAN_MINUTES * 60.0,
    }

# --- cache ----------------------------------------------------------------------------------
# Throttle counters (uploads, log-ins) must be shared by every web process: by default database 1
# of the broker's Redis, else (a broker that is not Redis) a per-process memory cache.
CACHE_URL = env_str("CACHE_URL") or redis_cache_url(CELERY_BROKER_URL, db=1) or "locmem://"
CACHES: dict[str, dict[str, object]] = {"default": {**cache_from_url("CACHE_URL", CACHE_URL)}}
if str(CACHES["default"]["BACKEND"]).endswith("RedisCache"):
    # A stopped or hung Redis must not hold a request: the throttles fail open instead.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}

# --- security (production) ------------------------------------------------------------------
# HTTPS=1 when the site is served over HTTPS (usually behind a proxy that terminates TLS, with
# TRUST_X_FORWARDED_PROTO=1): redirect plain HTTP, secure-only cookies, HSTS. Off by default so
# that `make run` works on http://127.0.0.1:8000.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Health checks come from inside the network over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# No inline scripts anywhere (every script is a static file); style attributes carry the widths
# of the probability bars. The browser test runs every page under this policy.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself (docker-compose's reverse proxy).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
