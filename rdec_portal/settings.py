"""Settings for the RDEC Portal: one file, driven only by environment variables.

DJANGO_ENV picks the mode: "production" (the default, so a forgotten variable never runs a
public server in debug mode), "development" (what `make run` sets) or "test" (what the test
suite sets). See .env.example and the README for every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

import jinja2
from business_apps import BUSINESS_APPS
from rdec_portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "production")
if DJANGO_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be production, development or test")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

DEBUG = env_bool("DJANGO_DEBUG", DJANGO_ENV == "development")

_INSECURE_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "" if PRODUCTION else _INSECURE_KEY)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION:
    # Refuse to start rather than run a public server with a guessable key or any Host header.
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "Production needs DJANGO_SECRET_KEY: at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production needs DJANGO_ALLOWED_HOSTS: the comma-separated host names the portal serves."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_standardized_errors",
    "axes",
    "csp",
    # The shared core. The business-line apps come after it and import from it, never the reverse.
    "rdec_portal",
    "rdec_portal.accounts",
    "rdec_portal.workflow",
    "rdec_portal.performance",
    # The business lines, listed outside the core (business_apps.py).
    *BUSINESS_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rdec_portal.accounts.middleware.SessionKeepAliveMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Oversized bodies (413) and NUL bytes in the address (400), before anything reads them.
    "rdec_portal.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session ends SESSION_ABSOLUTE_SECONDS after its login, however busy.
    "rdec_portal.accounts.middleware.SessionAbsoluteLifetimeMiddleware",
    # Cache-Control: no-store on every answer to a logged-in user, the API and downloads.
    "rdec_portal.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "rdec_portal.logging.RequestLogMiddleware",
    # Last, so that a lock-out answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rdec_portal.urls"
WSGI_APPLICATION = "rdec_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rdec_portal.context_processors.portal",
                # The unread count in the staff header: one COUNT, none for anonymous users.
                "rdec_portal.workflow.notifications.unread_notifications",
            ],
        },
    },
    {
        # Only for fragments repeated many times on a page (the work queue's rows), rendered by
        # name with using="jinja2" and placed into a Django template. Autoescaped like Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"undefined": jinja2.StrictUndefined},
    },
]

# SQLite in the project folder is the zero-set-up default; production and CI use PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a Celery worker started by the tests sees the same test database;
    # one per test process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("SQLITE_TEST_NAME", str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3"))
    }
    # IMMEDIATE: a writer takes the lock when its transaction begins, so two concurrent writers
    # (the dev server and an in-process task) wait for each other instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # A request never waits forever on the database.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rdec_portal.accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Reset links sent per e-mail address and reset requests per client, per window (an hour).
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 20)
PASSWORD_RESET_LIMIT_WINDOW_SECONDS = env_int("PASSWORD_RESET_LIMIT_WINDOW_SECONDS", 60 * 60)

# A staff session ends after 30 minutes without a request. Its expiry moves on at most once a
# minute (accounts/middleware.py), not with a database write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_TOUCH_SECONDS = 60
# However busy, a session ends this long after its login (12 hours: a working day and a half).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Five failed logins lock the account and, separately, the address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Renders that template with the time the lock ends, so the page can say when to try again.
AXES_LOCKOUT_CALLABLE = "rdec_portal.accounts.views.locked_out"
# --- Client address behind the proxy, and rate limits (docs/operations.md) ---
# Reverse proxies in front of the portal: the client is this many entries from the right of
# X-Forwarded-For (0: no proxy, REMOTE_ADDR is the client). AXES_PROXY_COUNT is the old name.
PROXY_COUNT = env_int("PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0))
# The lock-out, every rate limit and the audit log resolve the address the same way.
AXES_CLIENT_IP_CALLABLE = "rdec_portal.client.client_ip"
# "scope=count/seconds,...": changes one limit without a deploy (rdec_portal/ratelimit.py).
RATE_LIMITS = env_str("RATE_LIMITS")
# Multiplies every rate limit's count: for a surge of genuine use (a typhoon).
RATE_LIMIT_MULTIPLIER = env_int("RATE_LIMIT_MULTIPLIER", 1)
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries come from the npm registry through package.json; never copied in.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
# Request sizes. The reverse proxy's client_max_body_size must be at least MAX_REQUEST_BODY_BYTES
# (docs/operations.md, Security). A form's or JSON body's text is at most 1 MB; a file upload
# request (five files of 20 MB and the form) at most 105 MB, refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 105 * 1024 * 1024)

MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Only for the file-based backend: the integration tests read mail a Celery worker wrote.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "高雄市政府研考會 <noreply@rdec.kcg.gov.tw>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS hardening, on in production (the portal sits behind a TLS-terminating proxy).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every answer under these prefixes gets Cache-Control: no-store (rdec_portal/middleware.py), as
# does every answer to a logged-in user or a token, and every download.
NO_STORE_PATH_PREFIXES = ["/api/", "/admin/"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The petition form's map. Empty (the default): no map tiles are fetched from anywhere and the
# form offers the coordinate inputs and "use my location" only. Set it to a tile server's URL
# template (e.g. https://tiles.example.gov.tw/{z}/{x}/{y}.png) to show a Leaflet map; its host is
# then added to the CSP's img-src. MAP_TILE_ATTRIBUTION is the credit line the tile licence asks for.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None  # a path on this site: 'self' covers it
    # Leaflet's {s} subdomain placeholder becomes a CSP wildcard.
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# No inline script anywhere: pages work without JavaScript and scripts come from static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *filter(None, [_tile_origin(MAP_TILE_URL)])],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    # The token first: its WWW-Authenticate header is what makes "not logged in" a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rdec_portal.accounts.authentication.ApiTokenAuthentication",
        "rdec_portal.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: people browse the API in /api/docs/, and a browser asking for HTML still gets
    # errors in the one JSON shape.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rdec_portal.api_defaults.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rdec_portal.api_defaults.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rdec_portal.api_defaults.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "rdec_portal.api.PortalAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "600/minute"},
    # The API's anonymous throttle takes the same Nth-from-the-right address as client.py.
    "NUM_PROXIES": PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "rdec_portal.api.PortalExceptionHandler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RDEC Portal API",
    "DESCRIPTION": "高雄市政府研考會入口網 API.\n\n"
    "Authenticate with the browser session or a personal token created under My account → "
    "API tokens, sent as `Authorization: Bearer <key>` (or `Token <key>`). Every error is "
    '`{"type": ..., "errors": [{"code", "detail", "attr"}]}`, written in the request\'s '
    "language (Accept-Language). Date query parameters take ISO (2025-04-02) or ROC "
    "(114/04/02) dates. Guide: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The staff API's schema (and /api/docs/, which reads it) is for staff only: it need not
    # describe every staff operation and field to anonymous visitors. Open311 stays public.
    "SERVE_PERMISSIONS": ["rdec_portal.api.IsPortalStaff"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "rdec_portal.api.list_index_error_attrs",
    ],
}

# Celery. An empty CELERY_BROKER_URL runs every task in-process, so `make run` needs no Redis.
# The worker-side semantics (late ack, prefetch 1, time limits) are in celery.py; each periodic
# task adds itself to the beat schedule (rdec_portal/periodic.py).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == ""
_BROKER_TIMEOUT = env_int("CELERY_BROKER_TIMEOUT_SECONDS", 2)
# Bounded socket timeouts: a broker that accepts the connection but never answers must not hang
# the relay or a worker. The visibility timeout is above the longest task time limit.
CELERY_BROKER_CONNECTION_TIMEOUT = _BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": _BROKER_TIMEOUT,
    "socket_connect_timeout": _BROKER_TIMEOUT,
    "max_retries": 1,
}
CELERY_RESULT_BACKEND = None

# The outbox (rdec_portal/workflow/outbox.py). A message not processed this long after it was
# enqueued or last published is republished by the sweep; the wait doubles with every failed
# attempt up to the maximum, and after OUTBOX_MAX_ATTEMPTS failures the message is left as failed.
OUTBOX_RETRY_DELAY_SECONDS = env_int("OUTBOX_RETRY_DELAY_SECONDS", 5 * 60)
OUTBOX_RETRY_MAX_DELAY_SECONDS = env_int("OUTBOX_RETRY_MAX_DELAY_SECONDS", 2 * 60 * 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 20)
OUTBOX_SWEEP_BATCH_SIZE = env_int("OUTBOX_SWEEP_BATCH_SIZE", 500)
# After commit the relay thread gathers the ids of this many milliseconds into one publish: a
# burst of submissions shares one broker connection, one database connection and one UPDATE
# instead of each paying for its own while the next request waits for the CPU.
OUTBOX_RELAY_BATCH_MS = env_int("OUTBOX_RELAY_BATCH_MS", 250)

# Cache: local memory is enough for one process; production points CACHE_URL at Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if env_str("CACHE_URL")
        else "django.core.cache.backends.locmem.LocMemCache",
        **({"LOCATION": env_str("CACHE_URL")} if env_str("CACHE_URL") else {}),
    },
    # Template fragments every page shares ({% cache ... using="fragments" %}: the page shells'
    # header, footer and asset links). They change only with a deploy (translations, static
    # files, URLs), so each process keeps its own copy in memory: no round trip to a shared
    # cache, nothing to invalidate. Off while DEBUG, so an edited template shows at once.
    "fragments": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if DEBUG
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
