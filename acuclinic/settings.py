"""Settings for acuclinic, read from the environment.

Defaults suit a laptop: SQLite in ``var/``, a secret key generated once into ``var/``.
Production sets ``DEBUG=0``, ``HTTPS=1``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually
``DATABASE_URL`` (see the README).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ACUCLINIC_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    # Generated once and kept in var/ so sessions survive restarts of a local install;
    # production passes SECRET_KEY in the environment instead.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Created readable by the owner only from the first byte (no window after a chmod);
        # O_EXCL makes a second process starting at the same moment read the first's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Behind TLS (production): secure cookies, HSTS and a redirect to https.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Two-factor sign-in for staff (people/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # Serves the API docs page's Swagger files from our own static files, not a CDN.
    "ninja",
    "acuclinic.core",
    "acuclinic.audit",
    "acuclinic.clinic",
    "acuclinic.people",
    "acuclinic.scheduling",
    "acuclinic.enquiries",
    "acuclinic.waitlist",
    "acuclinic.safety",
    "acuclinic.treatment",
    "acuclinic.outcomes",
    "acuclinic.billing",
    # Background work: tasks on a database-backed queue, run by `acuclinic worker`.
    "django_tasks",
    "django_tasks_db",
    "acuclinic.notifications",
    "acuclinic.online_booking",
    "acuclinic.portal",
    # Data in and out: FHIR R4, backups; reads every app below it.
    "acuclinic.interop",
    "acuclinic.myday",
    # The synthetic demo clinic and its commands; at the top, nothing imports it.
    "acuclinic.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, Permissions-Policy, no-store on everything but static files (core/headers.py).
    "acuclinic.core.headers.SecurityHeadersMiddleware",
    "acuclinic.core.rate_limit.ApiRateLimitMiddleware",
    # Django's, renewing an idle session's end at most once a minute (core/session_renewal.py).
    "acuclinic.core.session_renewal.RenewingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "acuclinic.people.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "acuclinic.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "acuclinic.urls"
WSGI_APPLICATION = "acuclinic.wsgi.application"
ASGI_APPLICATION = "acuclinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "acuclinic.people.context_processors.roles",
                "acuclinic.clinic.context_processors.clinic_details",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    """One database URL -> Django settings, tuned for each engine."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue instead of failing half-way with "locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    # Keeping connections open: on PostgreSQL it was worth ~9x in requests per second
    # (STYLE.md); on SQLite a new connection reads the whole schema again, which was
    # 30% of a booking's CPU through gunicorn (bench/scheduling.py).
    config["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 600)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'acuclinic.sqlite3'}"
if DATABASE_URL.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
# Django's model backend, reading permissions in one query, and the API's bearer tokens
# (people/auth_backend.py).
AUTHENTICATION_BACKENDS = [
    "acuclinic.people.auth_backend.ModelBackendOneQuery",
    "acuclinic.people.auth_backend.ApiTokenBackend",
]
LOGIN_URL = "login"
# "home" sends a practitioner to their own day, everyone else to the diary.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not the person's name, email or role, nor the clinic's name (people/password_validation).
    {"NAME": "acuclinic.people.password_validation.PersonalDetailsValidator"},
]

# A shared front-desk screen must not stay signed in: sessions end after this much
# inactivity (renewed on each request) and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
# Not every request: RenewingSessionMiddleware moves the idle end on once a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
# Date boxes get yyyy-mm-dd values (core/locale_formats/en_GB/formats.py).
FORMAT_MODULE_PATH = "acuclinic.core.locale_formats"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders, so `collectstatic` is optional locally.
WHITENOISE_USE_FINDERS = True

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "acuclinic <clinic@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Without an SMTP host (a laptop) mail is written to the console instead of lost.
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the kill -9 drill,
# bench/drill.py), each email is written to a file here.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

# Online card payment (billing.online): Stripe Checkout when both are set; without them
# there is no online payment and online booking works as before.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")

# Background work (reminders, message delivery) is queued in the database and run by
# `acuclinic worker`, so the embedded default needs no broker (docs/architecture.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Text messages go through this backend: the console (default) or a folder of files
# (acuclinic.notifications.sms.OutboxSmsBackend, in ACUCLINIC_SMS_OUTBOX_DIR).
ACUCLINIC_SMS_BACKEND = os.environ.get(
    "ACUCLINIC_SMS_BACKEND", "acuclinic.notifications.sms.ConsoleSmsBackend"
)
ACUCLINIC_SMS_OUTBOX_DIR = Path(os.environ.get("ACUCLINIC_SMS_OUTBOX_DIR", VAR_DIR / "sms-outbox"))
# A message that fails is tried again after 1, 4, 16 and 64 minutes, then left failed.
ACUCLINIC_MESSAGE_MAX_ATTEMPTS = envint("ACUCLINIC_MESSAGE_MAX_ATTEMPTS", 5)
ACUCLINIC_MESSAGE_RETRY_SECONDS = envint("ACUCLINIC_MESSAGE_RETRY_SECONDS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Clinic-wide defaults; each Clinic row can override those it stores.
ACUCLINIC_DATE_FORMAT = "D j M Y"
ACUCLINIC_DATETIME_FORMAT = "D j M Y, H:i"

# The address patients reach these pages at, for links in emails the worker sends
# (waitlist offers), where there is no request to take it from.
ACUCLINIC_PUBLIC_URL = os.environ.get("ACUCLINIC_PUBLIC_URL", "http://localhost:8000")

# Passkeys (django-otp-webauthn) belong to one site: its host name is the relying party
# id, and the browser's answer must come from that origin. Both follow the public
# address, which must be https (or localhost) for browsers to offer passkeys at all.
OTP_WEBAUTHN_RP_NAME = "acuclinic"
_public = urlsplit(ACUCLINIC_PUBLIC_URL)
OTP_WEBAUTHN_RP_ID = _public.hostname or "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]
# A passkey is a second step after the password, not a way round it: passwords keep
# their throttle and lockout (core.signin) as the one front door.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# API rate limits (core/rate_limit.py): requests per minute per token and per address,
# counted in the cache, which by default is a folder shared by the workers on a machine.
ACUCLINIC_API_RATE_PER_TOKEN = envint("ACUCLINIC_API_RATE_PER_TOKEN", 300)
ACUCLINIC_API_RATE_PER_ADDRESS = envint("ACUCLINIC_API_RATE_PER_ADDRESS", 600)
# Requests for a password-reset link per hour, from one address and for one email address.
ACUCLINIC_RESET_RATE_PER_ADDRESS = envint("ACUCLINIC_RESET_RATE_PER_ADDRESS", 10)
ACUCLINIC_RESET_RATE_PER_EMAIL = envint("ACUCLINIC_RESET_RATE_PER_EMAIL", 3)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
# Reading this many patients' records within this many minutes is audited as a bulk read
# and shown to clinic admins on the audit page (audit.services.patient_records_read).
ACUCLINIC_BULK_READ_THRESHOLD = envint("ACUCLINIC_BULK_READ_THRESHOLD", 100)
ACUCLINIC_BULK_READ_MINUTES = envint("ACUCLINIC_BULK_READ_MINUTES", 10)
