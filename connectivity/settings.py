"""Connectivity settings: one module, every difference between environments is an environment variable.

The variables are listed, with their defaults, in `.env.example`. Missing or malformed required values stop
start-up with an `ImproperlyConfigured` naming the variable (`manage.py` prints it as one line).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Lets `ModelAdmin[Model]`, `QuerySet[Model]` and friends be subscripted at run time, as the type stubs expect.
# (DRF's classes are patched in ConnectivityConfig.ready: importing DRF here would freeze its settings early.)
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def _database(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL, refusing anything that is not a PostgreSQL or SQLite URL we can use."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL is malformed: expected postgres://user@host:port/name or sqlite:///path, got {url!r}"
        )
    try:
        config: dict[str, Any] = env.db_url_config(url)
    except Exception as exc:  # django-environ raises several kinds for garbage
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: it names no database ({url!r})")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker and beat share one file: wait for locks instead of failing, let readers run beside the
        # writer (WAL), and take the write lock up front so two writers never deadlock on a lock upgrade.
        config["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test_db.sqlite3")}
    else:
        config["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


DEBUG = _bool("DEBUG", False)


def _secret_key() -> str:
    key = str(env.str("SECRET_KEY", default=""))
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set SECRET_KEY, or DEBUG=true locally)")
    # Local runs: a key generated once and kept under var/, never in the repository.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return str(path.read_text().strip())


SECRET_KEY = _secret_key()
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    # Ours, in dependency order: each app may import only from those above it. The kernel imports no app; the
    # project package (connectivity: settings, URLs, commands, health) composes them all.
    "kernel",
    "organization",
    "accounts",
    "feedback",
    "actionplans",
    "surveys",
    "reviews",
    "dashboards",
    "connectivity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "connectivity.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "organization.middleware.AuditPermissionDeniedMiddleware",
    # Last: it answers a locked-out login attempt with the lock-out page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
    "connectivity.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "connectivity.urls"
WSGI_APPLICATION = "connectivity.wsgi.application"

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
                "organization.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": _database(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organization.User"
# django-axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Caches back throttling; a shared cache (Redis) is needed once there is more than one process serving the API.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "kernel.redis_cache.RedisCache"  # one redis-py client per pool, not per call

# Email
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Connectivity <connectivity@localhost>")
# Where people outside reach this site: the absolute links in emails to customers (survey links) start with it.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# Surveys: the pulse goes out this many hours after a plan is confirmed resolved; the public survey page answers
# at most SURVEY_LINK_RATE requests a minute from one address.
SURVEY_PULSE_DELAY_HOURS = _int("SURVEY_PULSE_DELAY_HOURS", 48)
SURVEY_LINK_RATE = _int("SURVEY_LINK_RATE", 60)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: secure by default when DEBUG is off; SECURE_SSL_REDIRECT can be turned off behind a proxy that
# already redirects. What each setting protects, and the test that proves it: docs/security.md.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _int("SESSION_COOKIE_AGE", 12 * 3600)  # a working day, then log in again
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Webhooks go to public addresses only (organization/webhooks/targets.py): these hosts are the exceptions, as
# their URLs spell them, e.g. an internal system on the private network, or 127.0.0.1 in development.
WEBHOOK_ALLOWED_HOSTS: list[str] = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])

# Content security policy (django-csp): scripts and styles only from our own static files, no inline script.
# Inline style *attributes* stay allowed: score and progress bars set their width server-side, and a style
# attribute cannot run code. Bootstrap draws some icons from data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Login throttling and lock-out (django-axes): AXES_FAILURE_LIMIT wrong passwords for one email from one address
# lock that pair out for AXES_COOLOFF_MINUTES; a success resets the count. The lock-out page says so (429).
AXES_ENABLED = _bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["password"]
# The address is REMOTE_ADDR (django-ipware is not installed, so X-Forwarded-For is never read): a client cannot
# dodge the lock-out with a forged header. Behind a proxy every address is the proxy's, so the pair is in effect
# the email alone: still a lock-out per account, never for everyone.

# Request size limits: a body or form over these is a 400/413 with a clear message, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = _int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = _int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = _int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Celery. The embedded default is a real broker in a SQLite file (kombu's SQLAlchemy transport): `make run`
# starts a real worker and beat without Redis. Production sets CELERY_BROKER_URL=redis://…
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers an unacknowledged task (a worker killed mid-task) after the visibility timeout. kombu looks
# for such tasks every unacked_restore_interval × unacked_restore_throttle seconds (10 × 10 by default): with a
# short timeout (the worker-loss test sets 5 s) it looks every second, so redelivery follows the timeout.
_VISIBILITY_TIMEOUT = _int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, int] = (
    {
        "visibility_timeout": _VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 5)),
        "unacked_restore_throttle": 1 if _VISIBILITY_TIMEOUT < 600 else 10,
    }
    if CELERY_BROKER_URL.startswith("redis")
    else {}
)
# A broker that is down must not hold up a request: publishing gives up within a few seconds (connect, then two
# quick retries), the request answers as usual, and the sweeps send what its rows still owe (connectivity.celery).
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.5}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_INTERVAL = _int("HEARTBEAT_INTERVAL", 30)
# At most one refresh of the KPI page's stored figures per this many seconds, however many writes change them.
KPI_REFRESH_SECONDS = _int("KPI_REFRESH_SECONDS", 60)
# Writes queue that refresh (off only in the test settings, where eager tasks would run it after every commit).
KPI_REFRESH_AFTER_WRITES = _bool("KPI_REFRESH_AFTER_WRITES", True)
HEARTBEAT_MAX_AGE = timedelta(seconds=_int("HEARTBEAT_MAX_AGE", 120))
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "connectivity.tasks.record_heartbeat_task", "schedule": float(HEARTBEAT_INTERVAL)},
    "escalation-sweep": {
        "task": "actionplans.tasks.escalation_sweep_task",
        "schedule": float(_int("ESCALATION_SWEEP_INTERVAL", 60)),
    },
    "promise-reminders": {"task": "actionplans.tasks.remind_promises_task", "schedule": 3600.0},
    "weekly-digests": {
        "task": "actionplans.tasks.send_weekly_digests_task",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "notification-digests": {
        "task": "organization.tasks.send_notification_digests_task",
        "schedule": float(_int("NOTIFICATION_DIGEST_INTERVAL", 300)),
    },
    "webhook-redelivery": {"task": "organization.tasks.redeliver_webhooks_task", "schedule": 60.0},
    "kpi-snapshots": {"task": "dashboards.tasks.snapshot_kpis_task", "schedule": crontab(minute=15, hour=0)},
    # The KPI page's stored figures: refreshed after each change (debounced), and here as a net for set-based
    # writes that send no signal and for a new day (a row of yesterday is not read).
    "kpi-window-figures": {
        "task": "dashboards.tasks.refresh_kpi_windows_task",
        "schedule": float(_int("KPI_REFRESH_INTERVAL", 600)),
    },
    "account-health": {"task": "dashboards.tasks.recompute_health_task", "schedule": crontab(minute=30, hour=2)},
    # Survey emails: invitations still owed (a pulse whose delay is over, a send the broker lost) and reminders.
    "survey-sends": {"task": "surveys.tasks.send_due_invitations_task", "schedule": 300.0},
    "survey-reminders": {"task": "surveys.tasks.send_reminders_task", "schedule": 3600.0},
}

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organization.api.authentication.ApiClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organization.api.permissions.HasApiScope"],
    "DEFAULT_THROTTLE_CLASSES": ["organization.api.throttling.PerClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env.str("API_THROTTLE_RATE", default="1200/min")},
    "DEFAULT_PAGINATION_CLASS": "kernel.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["kernel.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kernel.api.parsers.JSONParser"],  # refuses deep nesting, lone surrogates
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Connectivity API",
    "DESCRIPTION": (
        "Customer priorities, contact logs, issues and action plans for internal systems. "
        "Authenticate with `Authorization: Bearer <token>` (see `manage.py create_api_client`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its UI map every endpoint: for callers who can use the API, not for the internet.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several resources have a `status`: give each choice set its own, stable name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "AccountStatusEnum": "accounts.models.AccountStatus",
        "WebhookDeliveryStatusEnum": "organization.models.WebhookDelivery.Status",
        # The contact log's topics are the surveys' dimensions; survey and question kinds share the name "kind".
        "TopicEnum": "feedback.models.Topic",
        "SurveyKindEnum": "surveys.models.SurveyKind",
        "QuestionKindEnum": "surveys.models.QuestionKind",
        "TeamRoleEnum": "accounts.models.TeamRole",  # a team member's role, not organization.User's
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kernel.api.schema.document_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
