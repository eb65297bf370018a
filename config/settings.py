"""Homeroom's settings: one module, read from the environment only.

HOMEROOM_ENV names the kind of deployment:
- ``production`` (the default): SECRET_KEY and ALLOWED_HOSTS are required, cookies are Secure;
- ``demo``: ``make demo`` on a laptop, with a fixed, public, insecure key;
- ``test``: the test suite (set by tests/testenv.py before Django starts).

docs/operations.md lists every variable.
"""

import os
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
    # Django's admin on the project's own site (homeroom/lib/admin_site.py).
    "homeroom.lib.apps.HomeroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Failed sign-ins per account and per address (R44); see homeroom/accounts/throttle.py.
    "axes",
    # The task queue's tables (Django's tasks API, database backend); docs/operations.md.
    "django_tasks_db",
    # Floors, bottom up (DESIGN.md): an app imports only from the apps listed before it.
    "homeroom.lib",
    "homeroom.audit",
    "homeroom.accounts",
    "homeroom.sis",
    "homeroom.attendance",
    "homeroom.gradebook",
    "homeroom.access",
    "homeroom.notify",
    "homeroom.privacy",
    "homeroom.records",
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
    # Resolves who is asking once per request, and lends the audit log its actor.
    "homeroom.access.requests.RequestResolutionMiddleware",
    # An account denied access is signed out on its next request, whatever the page (R68).
    "homeroom.access.requests.DeniedAccountMiddleware",
    "homeroom.lib.middleware.NoStoreForSignedInMiddleware",
    # The session's inactivity and absolute limits, kept on the server (R46) ...
    "homeroom.accounts.middleware.SessionLimitsMiddleware",
    # ... then, for staff (and families when the district requires it), a second factor
    # verified in this session before anything but the accounts pages (R41).
    "homeroom.access.staff_mfa.StaffMFAMiddleware",
    # Last, as django-axes asks: turns a lockout into the sign-in page's answer (R44).
    "axes.middleware.AxesMiddleware",
]

# Measuring only: the benchmark turns it on to read the server's own time per request.
if env_bool("HOMEROOM_SERVER_TIMING", False):
    MIDDLEWARE.insert(0, "homeroom.lib.timing.ServerTimingMiddleware")

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
                "homeroom.accounts.context_processors.session_limits",
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
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE avoids the
                # "database is locked" upgrade race between two writers.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not memory: the browser tests' live server then opens connections of
            # its own instead of sharing the test thread's, which two threads cannot share.
            # One file per test process, so two runs on one machine never share it.
            "TEST": {
                "NAME": env_str(
                    "HOMEROOM_SQLITE_TEST_PATH",
                    str(SQLITE_PATH.parent / f"test-homeroom-{os.getpid()}.sqlite3"),
                )
            },
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
# The portal's page cache (homeroom/lib/freshness.py) is kept fresh by writers replacing
# version tokens in the cache. A cache private to each process would hear only its own
# process's writes, so in production the portal caches only with a shared cache (Redis).
# The demo (scripts/demo.sh) and the tests run in one process.
HOMEROOM_PORTAL_CACHE = env_bool("HOMEROOM_PORTAL_CACHE", True) and (
    bool(REDIS_URL) or not PRODUCTION
)

# --- The task queue -------------------------------------------------------------------------

# Django's tasks API (django.tasks). The default backend keeps tasks in the project's own
# database, so a task enqueued in a transaction exists exactly when that transaction commits,
# and a worker that dies loses nothing (docs/operations.md, "Workers"). Another backend is a
# dotted path away; it must keep that promise.
TASKS = {
    "default": {
        "BACKEND": env_str("HOMEROOM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Health reports the queue as late when the oldest task ready to run has waited this long.
HOMEROOM_QUEUE_LATE_MINUTES = env_int("HOMEROOM_QUEUE_LATE_MINUTES", 10, minimum=1)

# --- Accounts and sessions --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

PASSWORD_HASHERS = [
    # Argon2id (R43); PBKDF2 only to read hashes made elsewhere, upgraded at the next sign-in.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if HOMEROOM_ENV == "test":
    # The suite signs in thousands of times, and Argon2id at its real cost takes tens of
    # milliseconds a check. Tests of hashing or of sign-in timing put the list above back
    # (the `production_hashers` fixture in tests/conftest.py).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# NIST SP 800-63B rev. 4 (R42): length, not composition; a blocklist of common and breached
# passwords shipped with the project; no passwords built from the user's or the district's
# names. Each refusal says why. docs/accounts.md explains the choices.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "homeroom.accounts.passwords.LengthValidator",
        "OPTIONS": {"single_factor": 15, "with_mfa": 8, "maximum": 256},
    },
    {"NAME": "homeroom.accounts.passwords.BlocklistValidator"},
    {"NAME": "homeroom.accounts.passwords.ContextValidator"},
]
# Where the context validator finds more names a password may not be built from.
HOMEROOM_PASSWORD_CONTEXT = ["homeroom.access.staff_mfa.school_names"]
# Whether an account may not sign in at all today (a denial of access, R68; a contractor's
# account past its date or its contract, R13): asked by the sign-in page after the password,
# from the app above both that keeps the contractors' accounts.
HOMEROOM_SIGN_IN_REFUSED = "homeroom.privacy.vendors.sign_in_refused"
# The longest a contractor's support account works before it must be renewed (R13).
HOMEROOM_VENDOR_ACCOUNT_DAYS = env_int("HOMEROOM_VENDOR_ACCOUNT_DAYS", 90, minimum=1, maximum=366)

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Throttling (R44): after a few free failures each further attempt waits longer (doubling
# from HOMEROOM_SIGN_IN_DELAY_MINUTES up to an hour), per username and per address; an
# account stops at 100 consecutive failures until the lock times out or staff unlock it.
AXES_HANDLER = "homeroom.accounts.throttle.ProgressiveLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("HOMEROOM_SIGN_IN_FREE_ATTEMPTS", 5, minimum=3, maximum=20)
# How long failures are remembered after the last one: also the hard lock's length.
AXES_COOLOFF_TIME = 24  # hours
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock are refused without counting, so a guesser cannot run an
# account up to the hard cap in a minute.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "homeroom.accounts.views_signin.locked_out"
# The address as the WSGI server saw it, never a header a client could forge.
AXES_CLIENT_IP_CALLABLE = "homeroom.lib.http.client_address"
# Sign-ins are in the audit log already (R50).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Masked in the attempt records, like the password.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
HOMEROOM_SIGN_IN_DELAY_MINUTES = env_int("HOMEROOM_SIGN_IN_DELAY_MINUTES", 1, minimum=1)
HOMEROOM_SIGN_IN_ADDRESS_FREE_ATTEMPTS = env_int(
    "HOMEROOM_SIGN_IN_ADDRESS_FREE_ATTEMPTS", 30, minimum=5
)
HOMEROOM_SIGN_IN_ACCOUNT_CAP = env_int("HOMEROOM_SIGN_IN_ACCOUNT_CAP", 100, minimum=10, maximum=100)

# A reset link works once, for an hour, and does not sign in: MFA still applies (R49).
PASSWORD_RESET_TIMEOUT = 3600

# Multi-factor authentication (R41): always for staff; for guardians and students when the
# district turns this on (otherwise offered).
HOMEROOM_REQUIRE_MFA_FOR_FAMILIES = env_bool("HOMEROOM_REQUIRE_MFA_FOR_FAMILIES", False)
# An enrolment letter's code (a second factor set up again after a lost phone, or for a new
# staff account) works this long, once (R49: 72 hours at most).
HOMEROOM_ENROLMENT_LETTER_HOURS = env_int(
    "HOMEROOM_ENROLMENT_LETTER_HOURS", 72, minimum=1, maximum=72
)
# Changing email, password or MFA needs a sign-in no older than this (R48).
HOMEROOM_REAUTH_MINUTES = env_int("HOMEROOM_REAUTH_MINUTES", 5, minimum=1, maximum=30)

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
# The "stay signed in" warning comes this long before the inactivity limit (WCAG 2.2.1, R37).
HOMEROOM_SESSION_WARNING_SECONDS = env_int(
    "HOMEROOM_SESSION_WARNING_SECONDS", 120, minimum=20, maximum=300
)

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
# The preload directive does nothing until the district submits its domain to the browsers'
# list (which then binds every subdomain); HOMEROOM_HSTS_PRELOAD=false leaves it out.
SECURE_HSTS_PRELOAD = env_bool("HOMEROOM_HSTS_PRELOAD", PRODUCTION)
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
# Whom families contact about their portal access (named in suspension notices, R68).
HOMEROOM_ACCESS_CONTACT = env_str(
    "HOMEROOM_ACCESS_CONTACT", "the district registrar's office (registrar@homeroom.invalid)"
)
# Connecticut's definition of chronic absence: absent for 10 % or more of enrolled days.
HOMEROOM_CHRONIC_ABSENCE_PERCENT = env_int("HOMEROOM_CHRONIC_ABSENCE_PERCENT", 10, minimum=1)
# A score reaches families this long after it is entered, so a slip can be corrected first.
HOMEROOM_SCORE_RELEASE_MINUTES = env_int("HOMEROOM_SCORE_RELEASE_MINUTES", 60, minimum=0)
HOMEROOM_MISSING_COUNTS_AS_ZERO = env_bool("HOMEROOM_MISSING_COUNTS_AS_ZERO", True)
# R4: registrars are told this many days before a student turns 18.
HOMEROOM_ELIGIBLE_NOTICE_DAYS = env_int("HOMEROOM_ELIGIBLE_NOTICE_DAYS", 30, minimum=1)
# A student absent for MORE than this share of their periods on a day is absent for the day
# (docs/classroom.md, "Daily attendance"); 50 means "more than half".
HOMEROOM_DAILY_ABSENT_PERCENT = env_int("HOMEROOM_DAILY_ABSENT_PERCENT", 50, minimum=0, maximum=99)
# The security-risk rule (policy 1110.2): a guardian or student refused for other students'
# records this many times within so many minutes is denied access and technology is told.
HOMEROOM_SECURITY_RISK_REFUSALS = env_int("HOMEROOM_SECURITY_RISK_REFUSALS", 5, minimum=1)
HOMEROOM_SECURITY_RISK_MINUTES = env_int("HOMEROOM_SECURITY_RISK_MINUTES", 10, minimum=1)
# A staff account reading more distinct students' records than this within so many minutes
# raises an alert to technology staff (a bulk read by a stolen login looks like this).
HOMEROOM_STAFF_READ_ALERT_STUDENTS = env_int("HOMEROOM_STAFF_READ_ALERT_STUDENTS", 150, minimum=1)
HOMEROOM_STAFF_READ_ALERT_MINUTES = env_int("HOMEROOM_STAFF_READ_ALERT_MINUTES", 10, minimum=1)
# A read outside a staff member's legitimate interest, with a stated reason (break-glass),
# opens that student's record to them for this long (R12).
HOMEROOM_BREAK_GLASS_MINUTES = env_int(
    "HOMEROOM_BREAK_GLASS_MINUTES", 60, minimum=5, maximum=8 * 60
)
# The staff access review looks at what each account read over this many days (R12).
HOMEROOM_ACCESS_REVIEW_DAYS = env_int("HOMEROOM_ACCESS_REVIEW_DAYS", 90, minimum=7)
HOMEROOM_ACTIVATION_CODE_DAYS = env_int("HOMEROOM_ACTIVATION_CODE_DAYS", 14, minimum=1, maximum=60)

# --- Notifications (homeroom/notify; docs/operations.md, "Workers") -----------------------

# The portal's public address, for the links in mails, letters and reports: never a
# request's Host header, and no request is at hand in a worker. Commands may take --site.
HOMEROOM_SITE_URL = env_str(
    "HOMEROOM_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
if PRODUCTION and not HOMEROOM_SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        "HOMEROOM_SITE_URL is required in production: the portal's address with https://, "
        "e.g. https://portal.district.org (links in mail to families point there)."
    )
# The office's correction window: an absence or tardy reaches families only once the day's
# mark has stood this long unchanged, so a slip corrected at once never reaches a parent.
HOMEROOM_ATTENDANCE_ALERT_MINUTES = env_int(
    "HOMEROOM_ATTENDANCE_ALERT_MINUTES", 30, minimum=1, maximum=480
)
# Daily digests go out at this hour (district time); weekly digests on Fridays at that hour.
HOMEROOM_DIGEST_HOUR = env_int("HOMEROOM_DIGEST_HOUR", 17, minimum=0, maximum=23)
# A course grade below this percentage alerts the family, unless it set its own threshold.
HOMEROOM_LOW_GRADE_PERCENT = env_int("HOMEROOM_LOW_GRADE_PERCENT", 70, minimum=1, maximum=100)
# Sending: attempts per message before it is marked failed (waiting 1, 2, 4 … minutes between
# them), how many messages a worker claims at once, and how long a claim holds: after it, the
# messages of a worker that died are sent by another.
HOMEROOM_MAIL_ATTEMPTS = env_int("HOMEROOM_MAIL_ATTEMPTS", 6, minimum=1, maximum=20)
HOMEROOM_MAIL_BATCH = env_int("HOMEROOM_MAIL_BATCH", 200, minimum=1, maximum=5000)
HOMEROOM_MAIL_LEASE_SECONDS = env_int("HOMEROOM_MAIL_LEASE_SECONDS", 120, minimum=5)

# The periodic jobs, run by the workers themselves (`manage.py worker`), never by cron: each
# slot is claimed once in the database, so several workers on several machines run a job once.
# (name, task, cadence): "every N" minutes, or "daily HH:MM" / "weekly DAY HH:MM" local time.
TASK_SCHEDULE = [
    ("deliveries_sweep", "homeroom.notify.tasks.deliveries_sweep", "every 1"),
    (
        "notice_subscriptions_review",
        "homeroom.notify.tasks.subscriptions_review",
        "daily 05:30",
    ),
    ("eligible_student_notice", "homeroom.notify.tasks.eligible_student_notice", "daily 06:00"),
    ("digests", "homeroom.notify.tasks.digests_send", f"daily {HOMEROOM_DIGEST_HOUR:02d}:00"),
    # R12: reads with a stated reason, weekly; the staff access review, each quarter.
    ("break_glass_report", "homeroom.access.tasks.break_glass_report", "weekly mon 07:00"),
    ("staff_access_review", "homeroom.access.tasks.staff_access_review", "quarterly 07:00"),
]
