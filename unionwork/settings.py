"""Settings for unionwork. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("UNIONWORK_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _secret_key():
    # A stable per-checkout key for local use; production sets SECRET_KEY.
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # in INSTALLED_APPS so the API docs use its bundled Swagger UI, not a CDN
    "django_filters",
    "axes",
    "django_tasks_db",
    "unionwork.core",
    "unionwork.accounts",
    "unionwork.org",
    "unionwork.directory",
    "unionwork.ledgers",
    "unionwork.labour",
    "unionwork.care",
    "unionwork.activities",
    "unionwork.funds",
    "unionwork.plans",
    "unionwork.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from STATIC_ROOT in production (gunicorn)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "unionwork.core.middleware.AuditContextMiddleware",  # the request's user and address for the audit trail
    "unionwork.core.middleware.PagesLoginRequiredMiddleware",
    "unionwork.accounts.middleware.AccountStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionwork.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "unionwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionwork.core.context_processors.navigation",
            ],
            "builtins": ["unionwork.core.templatetags.uw"],
        },
    },
]

WSGI_APPLICATION = "unionwork.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'unionwork.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server and a background worker read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours: locked for 30 minutes
# Two separate counters (a flat list, not a nested one): 5 failures for one account from any
# address lock that account; 5 failures from one address for any accounts lock that address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts during a lock-out do not restart it: locked for 30 minutes from the fifth failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "unionwork.accounts.validators.LengthAndComplexityValidator"},
    {"NAME": "unionwork.accounts.validators.NotSimilarToUsernameValidator"},
    {"NAME": "unionwork.accounts.validators.CommonPasswordValidator"},
]
# Argon2 first: new passwords use it; older PBKDF2 hashes still verify and are rehashed at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if os.environ.get("DJANGO_ENV") == "production":
    # scripts/serve-production runs collectstatic: hashed, compressed names cached for a year by browsers.
    # Not in development or tests, where no manifest exists.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
# Vendor assets come from npm (package-lock.json) and are served from this machine: no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "unionwork" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STATICFILES_DIRS = [d for d in STATICFILES_DIRS if Path(d[1] if isinstance(d, tuple) else d).exists()]

MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Idle timeout: each request pushes the expiry 30 minutes on, so a session ends after 30 idle minutes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True

# Background work (imports, large exports, documents): Django's task framework with the database
# backend of django-tasks-db. The queue lives in the same database, so it needs no other server on a
# closed network, and `make run` starts its worker (manage.py db_worker) beside the web server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Page size of every list page and API list.
PAGE_SIZE = 25

# Security audit trail (core.AuditEvent): kept this many days, at least 180 (checked at startup); older
# entries go only by `manage.py purge_audit`. X-Forwarded-For is believed only behind a trusted proxy.
AUDIT_RETENTION_DAYS = os.environ.get("AUDIT_RETENTION_DAYS", "365")  # parsed and checked by core.audit
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"unionwork": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")}},
}
