"""One settings module for every way the platform runs, driven by the environment.

Embedded default (a laptop, the demo): SQLite file + in-memory channel layer.
Production: DATABASE_URL=postgres://..., REDIS_URL=redis://..., DEBUG=0, SECRET_KEY, ALLOWED_HOSTS.
Parsers are strict: a malformed value stops start-up with a message naming the variable.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def envmapping(
    name: str, items: list[str], default: dict[str, str], allowed: tuple[str, ...]
) -> dict[str, str]:
    """``key:value`` items (from envlist) over ``default``; a key that is not one of default's, a value
    not in ``allowed`` or an item without ``:`` stops start-up naming the variable."""
    result = dict(default)
    for item in items:
        key, sep, value = (part.strip() for part in item.partition(":"))
        if not sep or not key or not value:
            raise ImproperlyConfigured(f"{name}: {item!r} must be written name:value (e.g. rank_list:thai)")
        if key not in default:
            raise ImproperlyConfigured(f"{name}: unknown name {key!r}; known: {', '.join(sorted(default))}")
        if value not in allowed:
            raise ImproperlyConfigured(f"{name}: {key} must be one of {', '.join(allowed)}, not {value!r}")
        result[key] = value
    return result


DEBUG = envbool("DEBUG", False)
# Under pytest the test settings apply without anyone having to remember an environment variable.
TESTING = envbool("TESTING", "pytest" in sys.modules)

_INSECURE_DEV_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = _INSECURE_DEV_KEY
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if (DEBUG or TESTING) else [])
# Origins allowed to open WebSockets; defaults to the ALLOWED_HOSTS (see exam_platform.asgi).
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "exam_platform.common",
    "exam_platform.accounts",
    "exam_platform.delivery",
    "exam_platform.scoring",
    "exam_platform.publication",
    "exam_platform.eligibility",
    "question_bank",
    "proctoring",
    "exam_platform.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "exam_platform.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exam_platform.urls"
ASGI_APPLICATION = "exam_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "exam_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exam_platform.common.context_processors.ui_preferences",
                "exam_platform.common.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: an SQLite file in the checkout. PostgreSQL goes through psycopg's pool; under ASGI
# connections are never persistent (CONN_MAX_AGE=0), the pool does the reuse.
DB_POOL_MAX = envint("DB_POOL_MAX", 20)
# HTTP requests let into Django at once per server process; more wait in the event loop instead of
# each taking a thread and a pooled connection (exam_platform/common/admission.py).
HTTP_CONCURRENCY = envint("HTTP_CONCURRENCY", DB_POOL_MAX)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
except Exception as exc:  # dj_database_url raises ValueError / KeyError on bad schemes
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["pool"] = {
        "min_size": envint("DB_POOL_MIN", 2),
        "max_size": DB_POOL_MAX,
        "timeout": envint("DB_POOL_TIMEOUT", 10),
    }
    _db["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {})
    # WAL lets the worker and the server write beside each other; IMMEDIATE avoids upgrade deadlocks.
    _db["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or ""
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}"
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout None: redis-py 8's 5 s default breaks the layer's blocking read
                # (channels_redis#422); see DESIGN §10.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "prefix": os.environ.get("CHANNEL_PREFIX", "asgi"),
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "exam"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "exam_platform.accounts.backends.NationalIdOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Brute-force lockout: keyed by username AND IP together, so one person's failures in an exam hall
# (many candidates behind one NAT address) never lock out the hall.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Thai page with the wait in minutes, HTTP 429 (replaces the template above when set).
AXES_LOCKOUT_CALLABLE = "exam_platform.accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Every spelling of a national ID (dashes, spaces, Thai digits) counts as one username.
AXES_USERNAME_CALLABLE = "exam_platform.accounts.lockout.lockout_username"
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "BMA Exam / สอบ กทม."
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Exponential back-off after wrong codes: 1, 2, 4, 8 ... seconds (0 would switch it off).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_BACKUP_THROTTLE_FACTOR = 1
# Seconds after a password re-entry during which two-factor settings may be changed.
REAUTH_WINDOW_SECONDS = envint("REAUTH_WINDOW_SECONDS", 300)

# --- Sessions and security ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation: Thai first -------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "exam_platform" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Confidential files (bank images, uploaded documents): never under MEDIA_ROOT, never served by a web
# server or Django's static() helper, only through permission-checking views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/private-not-served/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

WHITENOISE_USE_FINDERS = DEBUG or TESTING
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise

# --- Exam delivery --------------------------------------------------------------------------
# Seconds after an attempt's deadline during which saves still in flight are accepted (DESIGN §4).
ANSWER_GRACE_SECONDS = envint("ANSWER_GRACE_SECONDS", 10)
# The waiting room starts each socket's attempt at opens_at plus up to this many seconds (random),
# so that thousands of starts spread over a moment instead of one instant (delivery/consumers.py).
EXAM_START_JITTER_SECONDS = envfloat("EXAM_START_JITTER_SECONDS", 1.0)
# The server processes' garbage-collector policy (exam_platform/common/gc_policy.py): collections
# slower than GC_LOG_SLOW_MS are logged (0: off); GC_FREEZE keeps the survivors of each full
# collection out of the next ones, released every GC_THAW_SECONDS so cyclic garbage is freed.
GC_LOG_SLOW_MS = envfloat("GC_LOG_SLOW_MS", 0 if TESTING else 100)
GC_FREEZE = envbool("GC_FREEZE", not TESTING)
GC_THAW_SECONDS = envfloat("GC_THAW_SECONDS", 900)
# Net allocations between collections of the youngest generation (CPython's default: 700).
GC_YOUNG_THRESHOLD = envint("GC_YOUNG_THRESHOLD", 10_000)

# --- Publication (rank lists, score slips) ----------------------------------------------------
# The platform's Ed25519 signing key: base64 of the raw 32-byte private key, or a file holding it.
# Unset with DEBUG/TESTING: one is generated under var/signing/ (see publication/signing.py).
PLATFORM_SIGNING_KEY = os.environ.get("PLATFORM_SIGNING_KEY", "")
PLATFORM_SIGNING_KEY_FILE = os.environ.get("PLATFORM_SIGNING_KEY_FILE", "")
# Scheme and host printed in published PDFs and QR codes (verification links), e.g. https://exam.bangkok.go.th
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

# --- Worker ---------------------------------------------------------------------------------
WORKER_POLL_SECONDS = envfloat("WORKER_POLL_SECONDS", 1.0)
# A claimed job whose worker stops heart-beating for this long is taken again by another worker.
WORKER_LEASE_SECONDS = envint("WORKER_LEASE_SECONDS", 120)
# Successful jobs are deleted after this many days (the hourly common.purge_jobs job).
JOB_RETENTION_DAYS = envint("JOB_RETENTION_DAYS", 7)
# Modules imported for their @job_handler functions besides every app's `jobs` module (tests, diagnostics).
WORKER_EXTRA_JOB_MODULES = envlist("WORKER_EXTRA_JOB_MODULES", [])

# --- Candidate activation codes and e-mail (accounts/activation_codes.py) ------------------------
# Key of the activation codes' HMACs; empty: derived from SECRET_KEY. Changing it (or SECRET_KEY
# while it is empty) invalidates every activation code not used yet: officers then issue new ones.
ACTIVATION_CODE_KEY = os.environ.get("ACTIVATION_CODE_KEY", "")
# Days an activation code stays valid after it is issued.
ACTIVATION_CODE_DAYS = envint("ACTIVATION_CODE_DAYS", 30)
# Roster uploads with more rows than this are imported by a worker job (long lane), smaller ones at once.
ROSTER_INLINE_MAX_ROWS = envint("ROSTER_INLINE_MAX_ROWS", 300)
# --- Documents (common/pdf/digits.py) ------------------------------------------------------------
# One kind of digits per document type, Thai (๐-๙) or Arabic (0-9): every number in that PDF is
# drawn in it (identifiers such as digests, URLs and codes stay as written). The environment
# variable overrides some of them, e.g. DOCUMENT_DIGITS=rank_list:arabic,booklet:thai.
DOCUMENT_DIGITS = envmapping(
    "DOCUMENT_DIGITS",
    envlist("DOCUMENT_DIGITS", []),
    {
        "rank_list": "thai",  # the announcement (ประกาศ) and its attached list
        "score_slip": "arabic",
        "admission_card": "arabic",
        "seat_list": "arabic",
        "checkin_list": "arabic",
        "booklet": "arabic",
        "answer_key": "arabic",
        "sample_announcement": "thai",
    },
    ("thai", "arabic"),
)
# The lockout log (django-axes) keeps the form's fields: never these.
AXES_SENSITIVE_PARAMETERS = ["activation_code", "new_password1", "new_password2"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "exam@localhost")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
