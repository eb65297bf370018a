"""Homeroom's settings: one module, read from the environment only.

HOMEROOM_ENV names the kind of deployment:
- ``production`` (the default): SECRET_KEY and ALLOWED_HOSTS are required, cookies are Secure;
- ``demo``: ``make demo`` on a laptop, with a fixed, public, insecure key;
- ``test``: the test suite (set by tests/testenv.py before Django starts).

docs/operations.md lists every variable.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

HOMEROOM_ENV = env_str("HOMEROOM_ENV", "production")
if HOMEROOM_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"HOMEROOM_ENV={HOMEROOM_ENV!r}: expected production, demo or test.")
PRODUCTION = HOMEROOM_ENV == "production"

# --- Core -------------------------------------------------------------------------------------

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required in production: set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Public and fixed on purpose: demo and test data are synthetic.
    SECRET_KEY = f"homeroom-{HOMEROOM_ENV}-insecure-key-never-use-in-production"

DEBUG = env_bool("HOMEROOM_DEBUG", False)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production, e.g. portal.example.org.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Floors, bottom up (DESIGN.md): an app imports only from the apps listed before it.
    "homeroom.lib",
    "homeroom.audit",
    "homeroom.accounts",
    "homeroom.sis",
    "homeroom.attendance",
    "homeroom.gradebook",
    "homeroom.access",
    "homeroom.portal",
    "homeroom.classroom",
    "homeroom.interop",
    "homeroom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "homeroom.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homeroom.lib.middleware.RequestIdMiddleware",
    "homeroom.lib.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homeroom" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homeroom.lib.context_processors.district",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:port/name); "
            "leave it unset to use the embedded SQLite file."
        )
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("HOMEROOM_DB_CONN_MAX_AGE", 600, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    SQLITE_PATH = Path(env_str("HOMEROOM_SQLITE_PATH", str(BASE_DIR / "var" / "homeroom.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE avoids the
                # "database is locked" upgrade race between two writers.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": env_str("HOMEROOM_SQLITE_TEST_PATH") or None},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("HOMEROOM_CACHE_PREFIX", "homeroom"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and sessions --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# The session cookie dies with the browser (R72); the server enforces both limits (R46).
SESSION_ENGINE = "homeroom.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HOMEROOM_SESSION_IDLE_MINUTES = env_int("HOMEROOM_SESSION_IDLE_MINUTES", 20, minimum=1, maximum=30)
HOMEROOM_SESSION_ABSOLUTE_HOURS = env_int(
    "HOMEROOM_SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=12
)
SESSION_COOKIE_AGE = HOMEROOM_SESSION_ABSOLUTE_HOURS * 3600

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "homeroom" / "locale"]
TIME_ZONE = env_str("HOMEROOM_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HOMEROOM_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
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
# Hashed file names let browsers keep static files for a year.
WHITENOISE_MAX_AGE = 31536000 if PRODUCTION else 60
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Mail -------------------------------------------------------------------------------------

_smtp_host = env_str("HOMEROOM_SMTP_HOST")
if _smtp_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("HOMEROOM_SMTP_PORT", 587, minimum=1, maximum=65535),
                "username": env_str("HOMEROOM_SMTP_USER"),
                "password": env_str("HOMEROOM_SMTP_PASSWORD"),
                "use_tls": env_bool("HOMEROOM_SMTP_STARTTLS", True),
                "timeout": 10,
            },
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured(
        "HOMEROOM_SMTP_HOST is required in production: password resets and security "
        "reports are sent by mail."
    )
else:
    # The demo prints mail to the terminal; tests point the alias at a real SMTP server.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("HOMEROOM_FROM_EMAIL", "Homeroom <no-reply@homeroom.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers (R52) -------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = env_bool("HOMEROOM_SSL_REDIRECT", PRODUCTION)
if env_bool("HOMEROOM_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HOMEROOM_LOG_LEVEL", "WARNING")},
}

# --- The district and its rules ---------------------------------------------------------------

HOMEROOM_DISTRICT_NAME = env_str("HOMEROOM_DISTRICT_NAME", "Homeroom Public Schools")
HOMEROOM_TECHNOLOGY_EMAIL = env_str("HOMEROOM_TECHNOLOGY_EMAIL", "technology@homeroom.invalid")
# Connecticut's definition of chronic absence: absent for 10 % or more of enrolled days.
HOMEROOM_CHRONIC_ABSENCE_PERCENT = env_int("HOMEROOM_CHRONIC_ABSENCE_PERCENT", 10, minimum=1)
# A score reaches families this long after it is entered, so a slip can be corrected first.
HOMEROOM_SCORE_RELEASE_MINUTES = env_int("HOMEROOM_SCORE_RELEASE_MINUTES", 60, minimum=0)
HOMEROOM_MISSING_COUNTS_AS_ZERO = env_bool("HOMEROOM_MISSING_COUNTS_AS_ZERO", True)
# The security-risk rule (policy 1110.2): a guardian or student refused for other students'
# records this many times within so many minutes is denied access and technology is told.
HOMEROOM_SECURITY_RISK_REFUSALS = env_int("HOMEROOM_SECURITY_RISK_REFUSALS", 5, minimum=1)
HOMEROOM_SECURITY_RISK_MINUTES = env_int("HOMEROOM_SECURITY_RISK_MINUTES", 10, minimum=1)
# A staff account reading more distinct students' records than this within so many minutes
# raises an alert to technology staff (a bulk read by a stolen login looks like this).
HOMEROOM_STAFF_READ_ALERT_STUDENTS = env_int("HOMEROOM_STAFF_READ_ALERT_STUDENTS", 150, minimum=1)
HOMEROOM_STAFF_READ_ALERT_MINUTES = env_int("HOMEROOM_STAFF_READ_ALERT_MINUTES", 10, minimum=1)
# Students turn 18 and FERPA rights move to them (R4): staff are told this many days ahead.
HOMEROOM_ELIGIBILITY_NOTICE_DAYS = env_int("HOMEROOM_ELIGIBILITY_NOTICE_DAYS", 30, minimum=0)
