"""One settings module, read from the environment.

Defaults work right after checkout: SQLite in the project folder and Celery tasks run in-process.
DATABASE_URL selects PostgreSQL; REDIS_URL makes Redis the Celery broker, result store and cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # A fixed development key keeps sessions valid across restarts of `make run`.
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# No django.contrib.admin: its login bypassed allauth's throttling and nothing was registered
# there. Operators administer through management commands (README, "Command line").
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "reviewapp",
    "screening",
    "coding",
    "synthesis",
    "demo",
    "api",
    "ninja",  # serves the API docs' Swagger UI from its own static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reviewapp.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "reviewapp.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

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
                "django.template.context_processors.csp",
                "reviewapp.context_processors.navigation",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections, checked before a request reuses one: after a database restart
    # the first request on each process reconnects instead of failing.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compilation costs seconds on the aggregate queries (PRISMA, progress) and buys nothing.
        # Starting parallel workers took 14 ms here, which the planner priced at 1,000 (about
        # 1.5 ms of this machine's work): a page's bounded read of 1,001 records took 20 ms with
        # two workers, 8.4 ms without. At 10,000 only statements of ~30 ms or more go parallel
        # (PRISMA's counts at 500,000 records still do).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c jit=off -c parallel_setup_cost=10000"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "reviewapp.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Mandatory: sign-up then says the same thing whether or not the address is registered (allauth's
# enumeration prevention needs it), and an invitation is accepted only from its confirmed address.
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "reviewapp.forms.SignupExtraForm"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# allauth's rate limits throttle failed logins per IP and per account (uses the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
}

# Email: the console by default; SMTP when EMAIL_HOST is set (Django's MAILERS).
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reviews@localhost")

LANGUAGE_CODE = "en"
# English by default; Traditional Chinese complete. A browser asking for zh-TW or zh-HK gets
# zh-hant (Django's fallbacks). Adding a language: README, "Translations".
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our adjustments of a locale's formats (zh_Hant: thousands grouped with commas).
FORMAT_MODULE_PATH = ["reviewapp.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads (database exports, full texts) live outside the static root and are never served
# by the static machinery: only views that check membership hand them out.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "uploads")))
MEDIA_URL = "/uploads-not-served/"
# The relevance ranking's features, one directory per review shared by its reviewers and by
# every worker (on a shared volume when workers run on several machines).
RANKING_FEATURES_DIR = Path(env_str("RANKING_FEATURES_DIR", str(MEDIA_ROOT / "ranking")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits: imports may be large (they stream to disk), full texts are PDFs.
MAX_IMPORT_UPLOAD_BYTES = env_int("MAX_IMPORT_UPLOAD_BYTES", 600 * 1024 * 1024)
MAX_FULLTEXT_UPLOAD_BYTES = env_int("MAX_FULLTEXT_UPLOAD_BYTES", 50 * 1024 * 1024)
# A large RIS or MEDLINE import parsed by a second process as well (second_parser.py): "auto"
# where the format's reader is not compiled (the parse is then the import's long part),
# "always", or "never".
IMPORT_SECOND_PARSER = env_str("IMPORT_SECOND_PARSER", "auto")
if IMPORT_SECOND_PARSER not in ("auto", "always", "never"):
    raise ImproperlyConfigured(
        f"IMPORT_SECOND_PARSER must be auto, always or never, not {IMPORT_SECOND_PARSER!r}"
    )
# A full text's PDF is read in the background within these limits (a PDF can hold 60,000 pages).
FULLTEXT_MAX_PAGES = env_int("FULLTEXT_MAX_PAGES", 500)
FULLTEXT_EXTRACT_SECONDS = env_int("FULLTEXT_EXTRACT_SECONDS", 60)
FULLTEXT_MAX_TEXT_CHARS = env_int("FULLTEXT_MAX_TEXT_CHARS", 3_000_000)
# import_review reads archives within these limits (README "Limits"): data.json's size, any
# stored file's size (the largest upload), everything together, the members' count, the
# expansion ratio of a member or the whole zip, and the largest single row of data.json.
BACKUP_MAX_DATA_BYTES = env_int("BACKUP_MAX_DATA_BYTES", 8 * 1024**3)
BACKUP_MAX_FILE_BYTES = env_int(
    "BACKUP_MAX_FILE_BYTES", max(MAX_IMPORT_UPLOAD_BYTES, MAX_FULLTEXT_UPLOAD_BYTES)
)
BACKUP_MAX_TOTAL_BYTES = env_int("BACKUP_MAX_TOTAL_BYTES", 100 * 1024**3)
BACKUP_MAX_MEMBERS = env_int("BACKUP_MAX_MEMBERS", 500_000)
BACKUP_MAX_RATIO = env_int("BACKUP_MAX_RATIO", 100)
BACKUP_MAX_ROW_BYTES = env_int("BACKUP_MAX_ROW_BYTES", 64 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery: a real broker with REDIS_URL, otherwise tasks run in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process only: work nobody waits for (ranking retrains) runs on a background thread of the
# web process rather than inside the request that asked for it (see reviewapp.jobs).
TASKS_IN_THREAD = env_bool("TASKS_IN_THREAD", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Nothing reads a task's return value (the job rows say how work went), so sending a task never
# touches the result store: with Redis down, that store raised RuntimeError in the web process.
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged when its task ends; a worker process that dies hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending gives up quickly when Redis is down: the job row records it and the sweeper re-sends.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# The longest task (a 600 MB import, de-duplicating 100,000+ records) takes minutes; a task is
# stopped after JOB_TIME_LIMIT. Redis hands an unacknowledged message to another worker after
# the visibility timeout, so it must outlast the time limit or a running task would start twice.
JOB_TIME_LIMIT = env_int("JOB_TIME_LIMIT", 3600)
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = max(1, JOB_TIME_LIMIT - 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", JOB_TIME_LIMIT + 600),
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    # Publishing tries the connection once (kombu would retry for 2 s): the job row remembers a
    # message that could not be sent. The worker's own reconnecting is not affected.
    "max_retries": 0,
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= JOB_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be longer than JOB_TIME_LIMIT")
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "reviewapp")
# Background work that heals itself (reviewapp/jobs.py): a running task's worker writes a
# heartbeat every JOB_HEARTBEAT_SECONDS; the sweeper (Celery beat, every JOB_SWEEP_SECONDS)
# sends again work whose heartbeat is 3 beats old, or whose sending failed, and gives up a job
# whose worker stopped JOB_MAX_ATTEMPTS times.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_SWEEP_SECONDS = env_int("JOB_SWEEP_SECONDS", 15)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 4)
# A queued job no worker has started after this long is sent again (its message was lost).
JOB_RESEND_AFTER_SECONDS = env_int("JOB_RESEND_AFTER_SECONDS", 600)
# Without a broker (no sweeper), a page showing a job queued this long that no process started
# runs it again (jobs.revive): the web process holding it stopped.
JOB_REVIVE_SECONDS = env_int("JOB_REVIVE_SECONDS", 60)
# An export of more rows than this is written to a file by a background job (reviewapp/downloads.py)
# and downloaded from its progress page; a smaller one is streamed in the request. Finished
# files are kept EXPORT_KEEP_SECONDS, and at most EXPORT_KEEP_PER_PERSON per person and review.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000)
EXPORT_KEEP_SECONDS = env_int("EXPORT_KEEP_SECONDS", 24 * 3600)
EXPORT_KEEP_PER_PERSON = env_int("EXPORT_KEEP_PER_PERSON", 3)
# Agreement over more decisions than this is computed by a background job and kept with the
# stamp of the decisions it read (screening/decisions/stored.py); over fewer, in the request.
AGREEMENT_INLINE_MAX_DECISIONS = env_int("AGREEMENT_INLINE_MAX_DECISIONS", 5000)
# Sweeps go to a queue of their own, consumed by the beat service's embedded worker
# (`celery -A reviewapp worker --beat -Q <CELERY_QUEUE>-sweeper`), so that they never wait
# behind a long import or de-duplication run on the busy workers.
JOB_SWEEP_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-sweeper"
CELERY_BEAT_SCHEDULE = {
    "sweep-jobs": {
        "task": "reviewapp.jobs.sweep",
        "schedule": float(JOB_SWEEP_SECONDS),
        # A sweep left in the queue while no worker ran is useless once the next one is due.
        "options": {"expires": float(JOB_SWEEP_SECONDS), "queue": JOB_SWEEP_QUEUE},
    }
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "reviewapp.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
            "KEY_PREFIX": env_str("CACHE_PREFIX", "reviewapp"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security headers. Cookies are secure whenever DEBUG is off unless explicitly relaxed
# (plain-HTTP local serving sets SECURE_COOKIES=false).
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, their read compiled once per process (every request makes it).
SESSION_ENGINE = "reviewapp.sessions"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The JSON API: calls per token per minute (0: no limit).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
