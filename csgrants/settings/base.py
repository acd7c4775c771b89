"""Settings shared by every environment. Every value that differs per deployment comes from the
environment (see .env.example); the environment modules only choose defaults."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Read as is: django-environ would treat a key starting with "$" as a reference to another
# variable, and random keys can start with "$".
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Old keys still accepted for signatures (sessions, password reset links) while rotating.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI served from our static files (the CSP allows no CDN).
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csgrants.core",
    "csgrants.accounts",
    "csgrants.catalogue",
    "csgrants.enterprises",
    "csgrants.eligibility",
    "csgrants.budgets",
    "csgrants.applications",
    "csgrants.notifications",
    "csgrants.documents",
    "csgrants.payments",
    "csgrants.reporting",
    "csgrants.imports",
    "csgrants.web",
    "csgrants.api",
    "csgrants.demo",
    "csgrants.ops",
]

MIDDLEWARE = [
    # First, so every log line of the request (and the response) carries the request id.
    "csgrants.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Problem details and X-Request-ID for everything under /api/ (csgrants/api/problems.py).
    "csgrants.api.problems.ApiProblemMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Dutch unless the user chose English (stored on the user); Accept-Language is ignored.
    "csgrants.accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csgrants.ops.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A database outage answers 503 problem details instead of a 500 (see ops/middleware.py).
    "csgrants.ops.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses authentication for a locked-out (username, address) pair before
# the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "csgrants.urls"
WSGI_APPLICATION = "csgrants.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "csgrants" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# SQLite is the embedded default for a first look (`make run`); production and CI set
# DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# A persistent connection that died with a database restart is noticed and replaced at the start
# of the next request instead of failing it.
_URL_CONN_MAX_AGE = DATABASES["default"].get("CONN_MAX_AGE")


def conn_max_age(default: int) -> int:
    """CONN_MAX_AGE from the environment, else `?conn_max_age=` in DATABASE_URL, else `default`."""
    return env.int(
        "CONN_MAX_AGE", default=default if _URL_CONN_MAX_AGE is None else _URL_CONN_MAX_AGE
    )


DATABASES["default"]["CONN_MAX_AGE"] = conn_max_age(0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Fail fast (and answer 503) instead of hanging a worker when the server is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server, and statements run more than 5 times on a connection
        # prepared: PostgreSQL then parses and plans each once per connection instead of once
        # per execution (bench/api_load.py: its CPU per filing went from 10.1 to 7.3 ms).
        # Turn off behind a pooler in transaction mode that cannot keep prepared statements.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the dev server and a worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Dutch first, English complete.
LANGUAGE_CODE = "nl"
# A refused form (expired CSRF token) in the site's layout and the user's language.
CSRF_FAILURE_VIEW = "csgrants.web.views.errors.csrf_failure"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "csgrants" / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "csgrants" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="csgrants <noreply@csgrants.invalid>")

# Background work: Django's tasks API. The database backend in production (run the worker with
# `manage.py db_worker`), immediate in tests and the demo.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Reminders (`manage.py send_reminders`, daily by cron): a late final report is reminded again
# after this many days.
CSGRANTS_REMINDER_INTERVAL_DAYS = env.int("CSGRANTS_REMINDER_INTERVAL_DAYS", default=7)
# The agency's account that pays the providers (payments.services, pain.001 debtor).
CSGRANTS_PAYER_NAME = env("CSGRANTS_PAYER_NAME", default="Agentschap Innoveren en Ondernemen")
CSGRANTS_PAYER_IBAN = env("CSGRANTS_PAYER_IBAN", default="BE10091012345604")
CSGRANTS_PAYER_BIC = env("CSGRANTS_PAYER_BIC", default="GKCCBEBB")
# The site's own address: the enterprise's confirmation link in a mail is built on it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# How often one address may look up confirmation links, and how soon a provider may resend one.
CSGRANTS_CONFIRMATION_LOOKUPS_PER_MINUTE = env.int("CONFIRMATION_LOOKUPS_PER_MINUTE", default=20)
CSGRANTS_CONFIRMATION_RESEND_MINUTES = env.int("CONFIRMATION_RESEND_MINUTES", default=15)
# Password-reset mails: at most so many requests per e-mail address and per client address in
# each window (counted in the cache, whether or not an account has the address).
CSGRANTS_PASSWORD_RESETS_PER_EMAIL = env.int("PASSWORD_RESETS_PER_EMAIL", default=3)
CSGRANTS_PASSWORD_RESETS_PER_IP = env.int("PASSWORD_RESETS_PER_IP", default=10)
CSGRANTS_PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)

REST_FRAMEWORK = {
    # Systems use `Authorization: Token <key>`; the web UI's session works as well.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "csgrants.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["csgrants.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "csgrants.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Per process with the default local-memory cache; set a shared CACHES backend to make the
    # limits hold across gunicorn workers.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="3000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "csgrants API",
    "DESCRIPTION": "Applications for the Flemish cybersecurity improvement trajectories.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "csgrants.api.schema.add_problem_responses",
    ],
}
# Idempotency-Key answers are kept at least this long.
CSGRANTS_IDEMPOTENCY_TTL_HOURS = env.int("CSGRANTS_IDEMPOTENCY_TTL_HOURS", default=24)

# Logs go to stderr (the process manager collects them). LOG_FORMAT=json writes one JSON object
# per line with the request id, for the log collector; "text" is for a developer's terminal.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "csgrants.ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "csgrants.ops.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task state change drowns the console and the test output.
        "django_tasks": {"level": "WARNING"},
        # ops.middleware.RequestIdMiddleware: one line per request (method, path, status,
        # duration, user id, request id).
        "csgrants.request": {"level": env("REQUEST_LOG_LEVEL", default="INFO")},
    },
}

# Sessions end after SESSION_COOKIE_AGE seconds (8 hours: a working day) and when the browser
# closes; people share laptops at the agency and at providers.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4): only our own origin, no inline script or style, no
# eval. Templates therefore carry no <script> bodies, no on* handlers and no style=""
# attributes; htmx is served from static with its inline indicator styles switched off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from
# one address, that pair is locked out for AXES_COOLOFF_TIME. Locking per (username, address)
# rather than per address keeps one office behind one NAT address from locking itself out.
# API token requests never authenticate with a password and are not throttled by axes.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "ops/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "csgrants.ops.security.client_ip"
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: use the peer
# address). The client address is what login throttling and the audit log see.
CSGRANTS_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor login (django-otp, TOTP). Anyone may set up an authenticator app; users whose role
# is listed here (or who are in the group "2fa-required") must, before they can do anything else.
CSGRANTS_OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="csgrants")

# /healthz: the task worker counts as down when a due task has waited longer than this.
CSGRANTS_WORKER_MAX_LAG_SECONDS = env.int("WORKER_MAX_LAG_SECONDS", default=300)

# Whether the demo loader may create the well-known demo logins (never in production).
CSGRANTS_ALLOW_DEMO_USERS = False

# The statistics' covering indexes (Application.Meta.indexes, INCLUDE columns) only exist on
# PostgreSQL; on the SQLite default they are plain indexes, which is fine for its volumes.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
