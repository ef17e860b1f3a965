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


# DJANGO_ENV=production: the one switch for a real server (HTTPS, no debug, secrets from the environment).
PRODUCTION = os.environ.get("DJANGO_ENV") == "production"


def _secret_key():
    # A stable per-checkout key for local use; production sets SECRET_KEY.
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DJANGO_ENV=production needs SECRET_KEY in the environment (50+ random characters)")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Personal information is encrypted at rest (core/crypto.py); a server keeps its keys in the environment,
# never beside the database it protects (a developer's checkout keeps them in var/data_keys.json).
if PRODUCTION and not (os.environ.get("UNIONWORK_DATA_KEYS") and os.environ.get("UNIONWORK_LOOKUP_KEY")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_ENV=production needs UNIONWORK_DATA_KEYS and UNIONWORK_LOOKUP_KEY in the "
                               "environment (python manage.py rotate_keys --generate makes a key)")
DEBUG = False if PRODUCTION else env_bool("DEBUG", True)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(",") if h.strip()]

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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionwork.core.middleware.IdleSessionMiddleware",  # the 30-minute idle end, saved once a minute
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
                "django.template.context_processors.csp",
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
        # Kept open between requests, SQLite too: a new connection costs ~1 ms of CPU (the schema is
        # parsed, Django registers its functions) and starts with a cold page cache; bench/load.py
        # served 125 requests/s with them kept against 101 with one per request.
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "unionwork.accounts.backends.NodeModelBackend",  # ModelBackend reading the node with the user
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
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
if PRODUCTION:
    # Static files from STATIC_ROOT under gunicorn; development and tests use runserver's finders.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
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
# Idle timeout: requests push the expiry 30 minutes on (core.middleware.IdleSessionMiddleware, at most
# once a minute), so a session ends after 30 idle minutes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_ENGINE = "unionwork.accounts.sessions"  # database sessions, read by one plain statement

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

# ---------------------------------------------------------------- HTTP hardening (issue 8)
from django.utils.csp import CSP  # noqa: E402

# Content-Security-Policy in every environment, so tests and the browser tests see what production
# sends: only this server's scripts and styles; an inline <script>/<style> needs the request's nonce
# ({{ csp_nonce }}). style="" attributes stay allowed: they set widths and heights, not code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],  # Bootstrap and Swagger UI draw small icons as data: SVG
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# CSRF failures render templates/403_csrf.html (Chinese); 400.html and 500.html likewise never show a trace.

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # HSTS: browsers then refuse plain http to this host for HSTS_SECONDS (default a year); start lower
    # (e.g. 3600) while trying HTTPS out. includeSubDomains is on: no subdomain of the platform's host
    # should ever serve personal data over http. preload is off: the preload list is for public
    # domains and needs the domain owner to submit it; on a government intranet it means nothing, so
    # that check (security.W021) is silenced rather than sending a promise nobody made.
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Only behind a reverse proxy that terminates TLS and always sets X-Forwarded-Proto (and strips a
    # client's own): otherwise a client could claim https.
    if env_bool("BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads (unionwork/core/uploads.py checks every file against its kind before storing or parsing it).
# Ledgers keep the 200 MB of the ledgers issue (a million-row member sheet is ~130 MB of .xlsx, ~1 GB of XML).
UPLOAD_KINDS = {
    "ledger": {"label": "台帐", "extensions": (".xlsx", ".xlsm", ".xls", ".ods", ".csv"),
               "max_bytes": int(os.environ.get("UPLOAD_LEDGER_MB", 200)) * 1024 * 1024,
               "max_uncompressed": 1536 * 1024 * 1024, "max_rows": 1_200_000},
    "attachment": {"label": "附件", "extensions": (".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".docx",
                                                  ".xlsx", ".pptx", ".doc", ".xls", ".ppt"),
                   "max_bytes": 20 * 1024 * 1024, "max_uncompressed": 200 * 1024 * 1024},
    "template": {"label": "Word 模板", "extensions": (".docx",), "max_bytes": 5 * 1024 * 1024,
                 "max_uncompressed": 50 * 1024 * 1024},
}
# Real Office files compress sheet XML 5–30 times; deflate tops out near 1,000: a member over this is a bomb.
UPLOAD_ZIP_MAX_RATIO = 200
# Form fields without files: 10 MB (a long plan table posts a few thousand small fields, never megabytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Files above 2.5 MB go to a temporary file while uploading, not to memory (Django's default, kept on purpose).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
# The plan page posts indicators × (3 + children) inputs: a street of 40 communities stays under 5,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
